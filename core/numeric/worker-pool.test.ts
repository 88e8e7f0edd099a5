import {spawn} from 'node:child_process'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {realFft2D, spectrumLength} from './fft.js'
import {WorkerPool, WorkerPoolClosedError, WorkerTaskError, sharedFloat32, toShared} from './worker-pool.js'

const testTasks = new URL('./testing/pool-test-tasks.ts', import.meta.url)
const fftTasks = new URL('./fft-tasks.ts', import.meta.url)
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** Runs a command and resolves with its exit code and output when it exits. */
function runToExit(command: string, args: string[], cwd: string): Promise<{code: number | null; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({code, output}))
  })
}

describe('WorkerPool', () => {
  const pool = new WorkerPool({modules: [testTasks, fftTasks], size: 2})
  afterAll(() => pool.close())

  it('transforms shared frames in parallel exactly like the main thread', async () => {
    const w = 48, h = 30
    const frames = Array.from({length: 5}, (_, f) => toShared(new Float32Array(w * h).map((_, i) => Math.sin(i * 0.1 + f))))
    const spectra = frames.map(() => sharedFloat32(spectrumLength(w, h)))
    await Promise.all(frames.map((input, f) => pool.run('forwardFft', {width: w, height: h, input, output: spectra[f]})))
    for (let f = 0; f < frames.length; f++) expect(spectra[f]).toEqual(realFft2D(w, h).forward(frames[f]))
    const back = sharedFloat32(w * h)
    await pool.run('inverseFft', {width: w, height: h, input: spectra[2], output: back})
    for (let i = 0; i < back.length; i++) expect(back[i]).toBeCloseTo(frames[2][i], 5)
  })

  it('runs tasks on separate threads at the same time over shared memory', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8))
    // Each task blocks until both have written their slot: this only finishes if they overlap.
    const done = await Promise.all([0, 1].map((index) => pool.run<number>('fillAndWaitForAll', {shared, index})))
    expect(done).toEqual([0, 1])
    const threads = await Promise.all(['a', 'b'].map((tag) => pool.run<{threadId: number}>('describeThread', {tag})))
    for (const t of threads) expect(t.threadId).toBeGreaterThan(0)
  })

  it('returns async results and reports thrown errors with the task name', async () => {
    expect(await pool.run('later', {value: 21})).toBe(42)
    const error = await pool.run('fail', {message: 'bad frame 7'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerTaskError)
    expect((error as WorkerTaskError).message).toBe("worker task 'fail' failed: bad frame 7")
    await expect(pool.run('nope', {})).rejects.toThrow(/no task named 'nope'/)
  })

  it('replaces a worker that dies mid-task and keeps serving', async () => {
    await expect(pool.run('exitWorker', {})).rejects.toThrow(/exited with code 3/)
    const results = await Promise.all([1, 2, 3].map((value) => pool.run('later', {value})))
    expect(results).toEqual([2, 4, 6])
  })

  it('rejects queued work on close and refuses new work', async () => {
    const other = new WorkerPool({modules: [testTasks], size: 1})
    const pending = [other.run('later', {value: 1}), other.run('later', {value: 2})]
    const settled = Promise.allSettled(pending)
    await other.close()
    for (const r of await settled) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WorkerPoolClosedError)
    }
    await expect(other.run('later', {value: 3})).rejects.toBeInstanceOf(WorkerPoolClosedError)
  })

  it('fails every task with the reason when its task module cannot be imported', async () => {
    const broken = new WorkerPool({modules: [new URL('./testing/missing-tasks.ts', import.meta.url)], size: 1})
    await expect(broken.run('anything', {})).rejects.toThrow(/cannot import task module .*missing-tasks/)
    await broken.close()
  })

  it('does not keep the process alive when it is never closed', async () => {
    const script = [
      `import {WorkerPool} from ${JSON.stringify(new URL('./worker-pool.ts', import.meta.url).href)}`,
      `const pool = new WorkerPool({modules: [${JSON.stringify(testTasks.href)}], size: 2})`,
      `console.log(await pool.run('later', {value: 5}))`,
    ].join('\n')
    const dir = await mkdtemp(join(tmpdir(), 'emstream-pool-'))
    try {
      const file = join(dir, 'open-pool.mts')
      await writeFile(file, script)
      const {code, output} = await runToExit(process.execPath, ['--import', 'tsx', file], repoRoot)
      expect(output.trim()).toBe('10')
      expect(code).toBe(0)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('WorkerPool from compiled JavaScript', () => {
  it('starts the .js worker entry without tsx', async () => {
    // Inside the repository so the compiled code resolves the packages in node_modules.
    const cache = join(repoRoot, 'node_modules', '.cache')
    await mkdir(cache, {recursive: true})
    const dir = await mkdtemp(join(cache, 'emstream-pool-js-'))
    try {
      const sources = ['worker-pool.ts', 'worker-entry.ts', 'fft-tasks.ts', 'fft/pffft-wasm.d.ts']
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
      const compiled = await runToExit(process.execPath, [
        tsc, '--outDir', dir, '--rootDir', fileURLToPath(new URL('.', import.meta.url)),
        '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', '--strict',
        ...sources.map((s) => fileURLToPath(new URL(s, import.meta.url))),
      ], repoRoot)
      expect(compiled.output).toBe('')
      await writeFile(join(dir, 'package.json'), '{"type": "module"}')
      const script = [
        `import {WorkerPool, sharedFloat32} from './worker-pool.js'`,
        `const pool = new WorkerPool({modules: [new URL('./fft-tasks.js', import.meta.url)], size: 1})`,
        `const input = sharedFloat32(16).fill(1), output = sharedFloat32(2 * 3 * 4)`,
        `await pool.run('forwardFft', {width: 4, height: 4, input, output})`,
        `console.log(output[0])`,
        `await pool.close()`,
      ].join('\n')
      await writeFile(join(dir, 'main.js'), script)
      const {code, output} = await runToExit(process.execPath, [join(dir, 'main.js')], dir)
      expect(output.trim()).toBe('16')
      expect(code).toBe(0)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
