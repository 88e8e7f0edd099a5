// Running emstream's programs as separate processes, for the demo and the end-to-end tests:
// the compiled bins (built once), the simulator CLI, the controller's server-info file.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Compiles the bins (tsc -p tsconfig.build.json) unless dist/ is newer than every source file. */
export function ensureBuilt(log: (line: string) => void = () => {}): void {
  const marker = join(repoRoot, 'dist', 'agent', 'commands', 'index.js')
  if (existsSync(marker) && !sourcesNewerThan(statSync(marker).mtimeMs)) return
  log('building (tsc -p tsconfig.build.json) ...')
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  // tsc still emits when some file has type errors; only a missing output is fatal here.
  if (!existsSync(marker) || !existsSync(join(repoRoot, 'dist', 'controller', 'commands', 'index.js'))) {
    throw new Error(`build failed (exit ${r.status}):\n${r.stdout}${r.stderr}`)
  }
}

function sourcesNewerThan(ms: number): boolean {
  const r = spawnSync('find', ['agent', 'controller', 'core', '-name', '*.ts', '-newermt', new Date(ms).toISOString(), '-print', '-quit'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  return r.stdout.trim() !== ''
}

export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

/** Starts `agent` or `controller` (compiled) or a tsx script, collecting its output. */
export function spawnProgram(program: 'agent' | 'controller' | 'simulate', args: string[], options: {env?: NodeJS.ProcessEnv; echo?: boolean} = {}): Spawned {
  const argv =
    program === 'simulate'
      ? ['--import', 'tsx', join(repoRoot, 'scripts', 'simulate.ts'), ...args]
      : [join(repoRoot, program, 'bin', 'run.js'), ...args]
  const child = spawn(process.execPath, argv, {cwd: repoRoot, env: {...process.env, ...options.env}, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
    if (options.echo) process.stdout.write(d)
  })
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString()
    if (options.echo) process.stderr.write(d)
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.on('exit', (code, signal) => resolve({code, signal})),
  )
  return {child, stdout: () => out, stderr: () => err, exited}
}

/** Runs a program to its end. */
export async function runProgram(program: 'agent' | 'controller', args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  const p = spawnProgram(program, args)
  const {code} = await p.exited
  return {code, stdout: p.stdout(), stderr: p.stderr()}
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** `controller serve` on a free port (or the given one, to restart it where agents look); resolves once its server-info file names the port. */
export async function startController(projectsDir: string, options: {echo?: boolean; port?: number} = {}): Promise<Spawned & {port: number}> {
  const infoFile = join(projectsDir, '.controller.json')
  const before = existsSync(infoFile) ? readFileSync(infoFile, 'utf8') : ''
  const spawned = spawnProgram('controller', ['serve', '--port', String(options.port ?? 0), '--dir', projectsDir], options)
  const port = await waitFor(
    'the controller to listen',
    () => {
      if (spawned.child.exitCode !== null) throw new Error(`controller exited: ${spawned.stderr()}`)
      if (!existsSync(infoFile)) return undefined
      const text = readFileSync(infoFile, 'utf8')
      if (text === before || !text.endsWith('\n')) return undefined
      const info = JSON.parse(text) as {port: number; pid: number}
      return info.pid === spawned.child.pid ? info.port : undefined
    },
    60_000,
    100,
  )
  return {...spawned, port}
}

export interface StatusJson {
  state: string
  movies: {found: number; processed: number; failed: number; inFlight: number}
  steps: Record<string, {done: number; failed: number; running: number}>
  alerts: {severity: string; message: string}[]
}

export async function controllerStatus(projectsDir: string, name: string): Promise<StatusJson> {
  const r = await runProgram('controller', ['status', '--name', name, '--dir', projectsDir, '--json'])
  if (r.code !== 0) throw new Error(`controller status failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as StatusJson
}
