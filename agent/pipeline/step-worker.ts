// Runs step entry functions inside a worker thread, so a CPU-heavy step never blocks the
// agent's event loop (watching, acks, status). The module is imported once per worker.
import {parentPort} from 'node:worker_threads'
import type {StepCall, WorkerMessage, WorkerReply} from './step-runner.js'

if (!parentPort) throw new Error('step-worker.ts must run as a worker thread')
const port = parentPort
/** Signals of the calls running here: a 'cancel' aborts one (an external program's child is then killed). */
const running = new Map<number, AbortController>()

port.on('message', (message: WorkerMessage) => {
  if (message.type === 'cancel') running.get(message.id)?.abort()
  else void runCall(message.id, message.call)
})

async function runCall(id: number, call: StepCall): Promise<void> {
  const controller = new AbortController()
  running.set(id, controller)
  let reply: WorkerReply
  try {
    const module = (await import(call.module)) as Record<string, unknown>
    const entry = module[call.entry]
    if (typeof entry !== 'function') throw new Error(`${call.module} has no function ${call.entry}`)
    const args = call.cancellable ? [...call.args, controller.signal] : call.args
    const result: unknown = await entry(...args)
    reply = {id, ok: true, result}
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e))
    reply = {id, ok: false, error: {name: error.name, message: error.message, stack: error.stack}}
  } finally {
    running.delete(id)
  }
  port.postMessage(reply)
}
