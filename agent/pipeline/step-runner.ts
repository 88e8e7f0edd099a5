// A pool of persistent worker threads that run step entry functions. Works from the
// TypeScript sources (tsx, vitest) and from compiled dist/: the worker file is resolved next
// to this module, and tsx is loaded into the worker only when that file is TypeScript.
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {StepReply} from './invoke-step.js'

export interface StepCall {
  /** URL of the module that exports the entry function. */
  module: string
  entry: string
  /** Structured-clonable arguments. */
  args: unknown[]
  /** The entry takes an AbortSignal after `args` (external programs: a cancel kills the child). */
  cancellable?: boolean
}

/** What the runner posts to a worker. */
export type WorkerMessage = {type: 'run'; id: number; call: StepCall} | {type: 'cancel'; id: number}

export type WorkerReply = {id: number} & StepReply

/**
 * From dist/ the compiled worker runs directly; from the sources, tsx is registered inside the
 * worker before the .ts file loads (Node 20 ignores `--import tsx` in a worker's execArgv).
 */
function startWorker(): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL('./step-worker.js', here))
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href
  const file = new URL('./step-worker.ts', here).href
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(file)}) })`
  return new Worker(boot, {eval: true})
}

export class StepError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly workerStack?: string,
  ) {
    super(message)
    this.name = 'StepError'
  }
}

interface Pending {
  id: number
  call: StepCall
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  signal?: AbortSignal
}

/** How long close() waits for cancelled steps to end (execa escalates to SIGKILL after 5 s). */
const CLOSE_GRACE_MS = 10_000

interface PooledWorker {
  worker: Worker
  busy?: Pending
}

export class StepRunner {
  private readonly workers: PooledWorker[] = []
  private readonly queue: Pending[] = []
  private nextId = 0
  private closed = false

  constructor(private readonly size: number) {}

  /** Runs a call; aborting `signal` drops it from the queue, or cancels it in its worker. */
  run(call: StepCall, signal?: AbortSignal): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('step runner is closed'))
    if (signal?.aborted) return Promise.reject(new StepError('step cancelled', 'AbortError'))
    return new Promise((resolve, reject) => {
      const task: Pending = {id: this.nextId++, call, resolve, reject, signal}
      signal?.addEventListener('abort', () => this.cancel(task), {once: true})
      this.queue.push(task)
      this.dispatch()
    })
  }

  /**
   * Cancels the running steps and waits (bounded) for them to end before terminating the
   * workers: a terminated worker would leave its external programs' processes running.
   */
  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue.splice(0)) p.reject(new Error('step runner closed'))
    // Built-in steps start no processes: their workers are terminated at once.
    const cancellable = this.workers.filter((w) => w.busy?.call.cancellable)
    const ending = cancellable.map((w) => this.ended(w))
    for (const w of cancellable) w.worker.postMessage({type: 'cancel', id: w.busy!.id} satisfies WorkerMessage)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.all(ending), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
    clearTimeout(timer)
    const workers = this.workers.splice(0)
    await Promise.all(workers.map((w) => w.worker.terminate()))
    for (const w of workers) w.busy?.reject(new StepError('step runner closed', 'AbortError'))
  }

  private cancel(task: Pending): void {
    const queued = this.queue.indexOf(task)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      task.reject(new StepError('step cancelled', 'AbortError'))
      return
    }
    const holder = this.workers.find((w) => w.busy === task)
    holder?.worker.postMessage({type: 'cancel', id: task.id} satisfies WorkerMessage)
  }

  /** Settles when the worker's current step replies or the worker dies. */
  private ended(pooled: PooledWorker): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        pooled.worker.off('message', done)
        pooled.worker.off('exit', done)
        resolve()
      }
      pooled.worker.on('message', done)
      pooled.worker.on('exit', done)
    })
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((w) => !w.busy) ?? (this.workers.length < this.size ? this.spawn() : undefined)
      if (!idle) return
      const task = this.queue.shift()!
      idle.busy = task
      idle.worker.postMessage({type: 'run', id: task.id, call: task.call} satisfies WorkerMessage)
    }
  }

  private spawn(): PooledWorker {
    const worker = startWorker()
    const pooled: PooledWorker = {worker}
    worker.on('message', (reply: WorkerReply) => {
      const task = pooled.busy
      if (!task || task.id !== reply.id) return
      pooled.busy = undefined
      if (reply.ok) task.resolve(reply.result)
      else task.reject(new StepError(reply.error.message, reply.error.name, reply.error.stack))
      this.dispatch()
    })
    // A worker that dies (uncaught error, out of memory) fails its step and is replaced.
    const fail = (error: Error) => {
      const index = this.workers.indexOf(pooled)
      if (index >= 0) this.workers.splice(index, 1)
      pooled.busy?.reject(new StepError(`step worker died: ${error.message}`, error.name))
      pooled.busy = undefined
      if (!this.closed) this.dispatch()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (this.workers.includes(pooled)) fail(new Error(`exit code ${code}`))
    })
    this.workers.push(pooled)
    return pooled
  }
}
