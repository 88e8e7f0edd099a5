// A pool of persistent worker threads that run step entry functions. Works from the
// TypeScript sources (tsx, vitest) and from compiled dist/: the worker file is resolved next
// to this module, and tsx is loaded into the worker only when that file is TypeScript.
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

export interface StepCall {
  /** URL of the module that exports the entry function. */
  module: string
  entry: string
  /** Structured-clonable arguments. */
  args: unknown[]
}

export type WorkerReply =
  | {id: number; ok: true; result: unknown}
  | {id: number; ok: false; error: {name: string; message: string; stack?: string}}

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
}

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

  run(call: StepCall): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('step runner is closed'))
    return new Promise((resolve, reject) => {
      this.queue.push({id: this.nextId++, call, resolve, reject})
      this.dispatch()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue.splice(0)) p.reject(new Error('step runner closed'))
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((w) => !w.busy) ?? (this.workers.length < this.size ? this.spawn() : undefined)
      if (!idle) return
      const task = this.queue.shift()!
      idle.busy = task
      idle.worker.postMessage({id: task.id, call: task.call})
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
