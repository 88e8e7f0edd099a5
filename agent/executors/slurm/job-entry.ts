// The program a SLURM job runs: `node job-entry.js <job folder>`. It runs the job's step calls
// one after another with the same code the agent's worker threads run (invokeStep), writing
// each result to the folder. SLURM's SIGTERM (time limit, scancel, pre-emption) cancels the
// running call (an external program is killed) and ends the job without a result for it; after a
// requeue the calls that have a result are skipped.
import {hostname} from 'node:os'
import {resolve} from 'node:path'
import {invokeStep} from '../../pipeline/invoke-step.js'
import {hasResult, readTasks, writeResult, writeStarted} from './job-files.js'

async function main(jobDir: string): Promise<number> {
  const stop = new AbortController()
  process.on('SIGTERM', () => stop.abort())
  const jobId = process.env.SLURM_JOB_ID ?? 'unknown'
  writeStarted(jobDir, {jobId, restart: Number(process.env.SLURM_RESTART_COUNT ?? 0), host: hostname(), at: Date.now()})
  for (const task of readTasks(jobDir)) {
    if (stop.signal.aborted) break
    if (hasResult(jobDir, task.id)) continue
    const reply = await invokeStep(task.call, stop.signal)
    // A call that failed because SLURM stopped the job has no result: its movie is resubmitted.
    if (stop.signal.aborted && !reply.ok) break
    writeResult(jobDir, task.id, reply)
    console.log(`emstream job ${jobId}: task ${task.id} ${reply.ok ? 'done' : `failed: ${reply.error.message}`}`)
  }
  return stop.signal.aborted ? 143 : 0
}

const jobDir = process.argv[2]
if (!jobDir) {
  console.error('usage: job-entry <job folder>')
  process.exit(2)
}
process.exit(await main(resolve(jobDir)))
