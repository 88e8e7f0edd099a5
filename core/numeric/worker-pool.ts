/**
 * A fixed-size pool of worker threads running named tasks from task modules.
 *
 * A task module's exported functions are its tasks: `(payload) => result | Promise<result>`.
 * Large data (movie frames, spectra) travel as typed arrays over SharedArrayBuffer (see
 * sharedFloat32): structured cloning shares that memory, so tasks read and write frames in
 * place with no copy. Other payloads and results are copied.
 *
 * Workers hold the event loop only while they run a task, so an idle pool never keeps the
 * process alive; close() stops them all.
 *
 * Workers run the compiled entry (worker-entry.js) next to this module; when this module is
 * TypeScript source (tsx, vitest) the worker loads the .ts entry through tsx.
 */
import {availableParallelism} from 'node:os'
import {createRequire} from 'node:module'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Worker, type TransferListItem} from 'node:worker_threads'
import type {TaskReply, TaskRequest, WorkerMessage} from './worker-messages.js'

export interface WorkerPoolOptions {
  /** Task modules (file URL or path); every exported function becomes a task by its name. */
  modules: Array<string | URL>
  /** Number of threads; default os.availableParallelism(). */
  size?: number
}

/** A task threw in its worker, or its worker died while running it. */
export class WorkerTaskError extends Error {
  constructor(
    readonly task: string,
    readonly problem: string,
    readonly remoteStack?: string,
  ) {
    super(`worker task '${task}' failed: ${problem}`)
    this.name = 'WorkerTaskError'
  }
}

/** The pool was closed before or while the task ran. */
export class WorkerPoolClosedError extends Error {
  constructor(readonly task: string) {
    super(`worker pool closed before task '${task}' finished`)
    this.name = 'WorkerPoolClosedError'
  }
}

/** A Float32Array over a SharedArrayBuffer: shared with workers, not copied. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length))
}

/** A shared copy of data (use once per frame, then pass the shared array to every task). */
export function toShared(data: Float32Array): Float32Array {
  const shared = sharedFloat32(data.length)
  shared.set(data)
  return shared
}

interface Job {
  id: number
  task: string
  payload: unknown
  transfer: TransferListItem[]
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

interface Slot {
  worker: Worker
  job?: Job
  /** Set once the worker imported its task modules; a worker that dies before is not replaced. */
  ready: boolean
}

export class WorkerPool {
  readonly size: number
  private readonly modules: string[]
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private closed = false
  /** Why no worker could start (every slot died before ready): later runs reject with it. */
  private startupFailure?: string

  constructor({modules, size = availableParallelism()}: WorkerPoolOptions) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`)
    if (modules.length === 0) throw new RangeError('worker pool needs at least one task module')
    this.size = size
    this.modules = modules.map((m) => (m instanceof URL ? m.href : m.startsWith('file:') ? m : pathToFileURL(m).href))
    for (let i = 0; i < size; i++) this.slots.push(this.spawn())
  }

  /** Runs task(payload) on the next free worker; transfer moves (not copies) the listed buffers. */
  run<Result = unknown>(task: string, payload: unknown, transfer: TransferListItem[] = []): Promise<Result> {
    if (this.closed) return Promise.reject(new WorkerPoolClosedError(task))
    if (this.startupFailure) return Promise.reject(new WorkerTaskError(task, this.startupFailure))
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({id: this.nextId++, task, payload, transfer, resolve: resolve as (v: unknown) => void, reject})
      this.dispatch()
    })
  }

  /** Stops every worker; queued and running tasks reject with WorkerPoolClosedError. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const job of this.queue.splice(0)) job.reject(new WorkerPoolClosedError(job.task))
    await Promise.all(
      this.slots.map(async (slot) => {
        const job = slot.job
        slot.job = undefined
        await slot.worker.terminate()
        job?.reject(new WorkerPoolClosedError(job.task))
      }),
    )
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (slot.job) continue
      const job = this.queue.shift() as Job
      slot.job = job
      slot.worker.ref()
      const request: TaskRequest = {id: job.id, task: job.task, payload: job.payload}
      slot.worker.postMessage(request, job.transfer)
    }
  }

  private spawn(): Slot {
    const worker = startWorker(this.modules)
    const slot: Slot = {worker, ready: false}
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') slot.ready = true
      else this.finish(slot, message)
    })
    worker.on('error', (error) => this.fail(slot, error.message, error.stack))
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, `worker exited with code ${code}`)
    })
    // After the listeners: attaching a 'message' listener refs the worker again.
    worker.unref()
    return slot
  }

  private finish(slot: Slot, reply: TaskReply): void {
    const job = slot.job
    if (!job || job.id !== reply.id) return
    slot.job = undefined
    slot.worker.unref()
    if (reply.ok) job.resolve(reply.result)
    else job.reject(new WorkerTaskError(job.task, reply.message, reply.stack))
    this.dispatch()
  }

  /** A worker died: reject its task and replace it, unless it never started (no retry loop). */
  private fail(slot: Slot, problem: string, stack?: string): void {
    const index = this.slots.indexOf(slot)
    if (index < 0) return
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    const job = slot.job
    slot.job = undefined
    job?.reject(new WorkerTaskError(job.task, problem, stack))
    if (this.closed) return
    if (slot.ready) {
      this.slots[index] = this.spawn()
    } else {
      this.slots.splice(index, 1)
      if (this.slots.length === 0) {
        this.startupFailure = `no worker could start: ${problem}`
        for (const queued of this.queue.splice(0)) queued.reject(new WorkerTaskError(queued.task, this.startupFailure, stack))
      }
    }
    this.dispatch()
  }
}

/**
 * Starts worker-entry next to this module: the .js file from dist, or, when this module is
 * TypeScript source (tsx, vitest), the .ts file after registering tsx's loader in the worker
 * (a Worker's execArgv --import does not apply to its entry on Node 20).
 */
function startWorker(modules: string[]): Worker {
  const typescript = fileURLToPath(import.meta.url).endsWith('.ts')
  const entry = new URL(`./worker-entry.${typescript ? 'ts' : 'js'}`, import.meta.url)
  const workerData = {modules}
  if (!typescript) return new Worker(entry, {workerData})
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api')
  const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); import(${JSON.stringify(entry.href)})`
  return new Worker(bootstrap, {eval: true, workerData})
}
