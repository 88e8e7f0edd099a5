// Runs step entry functions inside a worker thread, so a CPU-heavy step never blocks the
// agent's event loop (watching, acks, status). The module is imported once per worker.
import {parentPort} from 'node:worker_threads'
import type {StepCall, WorkerReply} from './step-runner.js'

if (!parentPort) throw new Error('step-worker.ts must run as a worker thread')
const port = parentPort

port.on('message', async (message: {id: number; call: StepCall}) => {
  const {id, call} = message
  let reply: WorkerReply
  try {
    const module = (await import(call.module)) as Record<string, unknown>
    const entry = module[call.entry]
    if (typeof entry !== 'function') throw new Error(`${call.module} has no function ${call.entry}`)
    const result: unknown = await entry(...call.args)
    reply = {id, ok: true, result}
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e))
    reply = {id, ok: false, error: {name: error.name, message: error.message, stack: error.stack}}
  }
  port.postMessage(reply)
})
