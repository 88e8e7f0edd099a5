// Each movie runs in its own working folder, <outDir>/<name>.work, with its input linked under
// a fixed safe name: the program never sees a user's file name (one starting with '-' could
// read as an option), outputs of two movies never collide, and logs stay for inspection.
import {mkdir, rm, symlink, access} from 'node:fs/promises'
import {basename, extname, join, resolve} from 'node:path'
import {ExternalProgramError} from './errors.js'

export interface WorkFolder {
  dir: string
  /** Name of the movie / micrograph without extension, for the outputs we keep. */
  stem: string
  /** The input's link inside dir (relative name, safe as an argument). */
  input: string
}

export function stemOf(path: string): string {
  const name = basename(path)
  const ext = extname(name)
  return ext ? name.slice(0, -ext.length) : name
}

/** A fresh working folder for input, with the input linked as `input<ext>` (ext lower-cased). */
export async function prepareWorkFolder(inputPath: string, outDir: string, inputName = 'input'): Promise<WorkFolder> {
  const stem = stemOf(inputPath)
  const dir = resolve(outDir, `${stem}.work`)
  await rm(dir, {recursive: true, force: true})
  await mkdir(dir, {recursive: true})
  const input = `${inputName}${extname(inputPath).toLowerCase()}`
  await symlink(resolve(inputPath), join(dir, input))
  return {dir, stem, input}
}

/** A file argument that cannot be read as an option: always an absolute path. */
export function fileArg(path: string): string {
  return resolve(path)
}

/** Fails with a clear message when a program exited 0 but did not write what it should. */
export async function requireOutput(program: string, path: string, argv: string[], stderrTail: string): Promise<string> {
  try {
    await access(path)
    return path
  } catch {
    throw new ExternalProgramError(program, 'missing-output', `exited 0 but did not write ${path}`, argv, stderrTail)
  }
}
