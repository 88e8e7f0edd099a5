// Calls a step entry function by module URL and name: shared by the worker threads
// (step-worker.ts) and SLURM jobs (agent/executors/slurm/job-entry.ts), so both run the same code.
import type {StepCall} from './step-runner.js'

/** A call's outcome as a plain, structured-clonable (and JSON) value. */
export type StepReply = {ok: true; result: unknown} | {ok: false; error: {name: string; message: string; stack?: string}}

export async function invokeStep(call: StepCall, signal: AbortSignal): Promise<StepReply> {
  try {
    const module = (await import(call.module)) as Record<string, unknown>
    const entry = module[call.entry]
    if (typeof entry !== 'function') throw new Error(`${call.module} has no function ${call.entry}`)
    const args = call.cancellable ? [...call.args, signal] : call.args
    return {ok: true, result: (await entry(...args)) as unknown}
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e))
    return {ok: false, error: {name: error.name, message: error.message, stack: error.stack}}
  }
}
