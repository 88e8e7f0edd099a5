// What SLURM says about our jobs: squeue while it remembers them (MinJobAge after they end),
// then sacct where the cluster keeps accounting. Pure parsers plus the two command calls.
import {execa} from 'execa'

export interface JobStatus {
  /** SLURM's long state name: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, PREEMPTED, ... */
  state: string
  reason: string
  /** Times SLURM requeued the job (pre-emption, node failure, scontrol requeue). */
  restarts: number
}

/** States of a job that may still run (or is running) its tasks. */
const ACTIVE = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_FED', 'REQUEUE_HOLD',
  'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD',
])
/** Ended states worth another submission: the node, the time limit or the scheduler stopped the job, not the user. */
const RESUBMIT = new Set(['FAILED', 'TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL', 'OUT_OF_MEMORY', 'DEADLINE', 'COMPLETED', 'UNKNOWN'])

export type JobOutcome = 'active' | 'resubmit' | 'cancelled'

/** COMPLETED counts as "resubmit": it only matters for tasks the job left without a result. */
export function outcomeOf(state: string): JobOutcome {
  if (ACTIVE.has(state)) return 'active'
  return RESUBMIT.has(state) ? 'resubmit' : 'cancelled'
}

/** Output of `squeue -h -t all -O JobID:|,State:|,Reason:|,RestartCnt:|`. */
export function parseSqueue(text: string): Map<string, JobStatus> {
  const jobs = new Map<string, JobStatus>()
  for (const line of text.split('\n')) {
    const [id, state, reason, restarts] = line.split('|').map((f) => f.trim())
    if (!/^\d+$/.test(id ?? '')) continue
    jobs.set(id, {state, reason: reason ?? '', restarts: Number(restarts) || 0})
  }
  return jobs
}

/** Output of `sacct -n -P -X -o JobID,State,Reason`; a state reads like "CANCELLED by 1000". */
export function parseSacct(text: string): Map<string, JobStatus> {
  const jobs = new Map<string, JobStatus>()
  for (const line of text.split('\n')) {
    const [id, state, reason] = line.split('|')
    if (!/^\d+$/.test(id ?? '')) continue
    jobs.set(id, {state: state.split(' ')[0], reason: reason ?? '', restarts: 0})
  }
  return jobs
}

const QUERY_TIMEOUT_MS = 60_000

/**
 * The status of each job SLURM still knows; a job absent from the map is unknown to both
 * squeue and sacct (aged out of a cluster without accounting).
 */
export async function queryJobs(jobIds: string[]): Promise<Map<string, JobStatus>> {
  if (jobIds.length === 0) return new Map()
  const ids = jobIds.join(',')
  const squeue = await execa('squeue', ['-h', '-t', 'all', '-j', ids, '-O', 'JobID:|,State:|,Reason:|,RestartCnt:|'], {
    reject: false,
    timeout: QUERY_TIMEOUT_MS,
  })
  // squeue fails as a whole when every id is unknown ("Invalid job id specified").
  const jobs = squeue.exitCode === 0 ? parseSqueue(squeue.stdout) : new Map<string, JobStatus>()
  if (squeue.exitCode !== 0 && !/Invalid job id/i.test(squeue.stderr)) throw new Error(`squeue failed: ${squeue.stderr.trim()}`)
  const missing = jobIds.filter((id) => !jobs.has(id))
  if (missing.length === 0) return jobs
  // Without accounting storage sacct says so and exits non-zero: those jobs stay unknown.
  const sacct = await execa('sacct', ['-n', '-P', '-X', '-j', missing.join(','), '-o', 'JobID,State,Reason'], {reject: false, timeout: QUERY_TIMEOUT_MS})
  if (sacct.exitCode === 0) for (const [id, status] of parseSacct(sacct.stdout)) jobs.set(id, status)
  return jobs
}
