// Runs step entry functions inside a worker thread, so a CPU-heavy step never blocks the
// agent's event loop (watching, acks, status). The module is imported once per worker.
import {parentPort} from 'node:worker_threads'
import {invokeStep} from './invoke-step.js'
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
  const reply = await invokeStep(call, controller.signal)
  running.delete(id)
  port.postMessage({id, ...reply} satisfies WorkerReply)
}
