// Shared by the external adapters' tests: the fake executables' folder and a scratch folder.
import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {writeMrc} from '../../../core/formats/mrc-write.js'

export const FAKE_BIN = fileURLToPath(new URL('../../../fixtures/external/bin/', import.meta.url))
export const FORMAT_SAMPLES = fileURLToPath(new URL('../../../fixtures/external/samples/', import.meta.url))

export function fake(name: string): string {
  return join(FAKE_BIN, name)
}

export async function scratch(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `emstream-${prefix}-`))
}

/** A small flat micrograph (the fakes only need a readable MRC). */
export async function tinyMicrograph(path: string, size = 64, pixelSize = 1): Promise<string> {
  await writeMrc(path, [new Float32Array(size * size).fill(1)], {width: size, height: size, pixelSize})
  return path
}
