// Runs step calls as SLURM batch jobs, several movies per job: calls are batched (batch.ts),
// each batch is written to a job folder and submitted (job-template.ts, submit.ts), and squeue is
// polled (track.ts) until the job ends. Results are read back as the job writes them, so a movie
// goes on to its next step before the rest of its job is done. A job that failed, timed out or
// was pre-empted is submitted again for the movies it left without a result, up to
// `resubmissions` times; then those movies' step fails with the reason. Aborting every call of a
// job (the pipeline stopping) cancels it with scancel, and jobs left by an agent that died are
// cancelled by the next one (orphans.ts).
import {mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import type {SlurmExecutorSettings} from '../../../core/workflow/types.js'
import type {StepExecutor, StepJob} from '../../pipeline/pipeline.js'
import {StepError, type StepCall} from '../../pipeline/step-runner.js'
import {Batcher} from './batch.js'
import {logTail, readResults, readStarted, SCRIPT_FILE, writeSubmitted, writeTasks} from './job-files.js'
import {renderJobScript} from './job-template.js'
import {cancelOrphanedJobs} from './orphans.js'
import {cancelJobs, submitJob} from './submit.js'
import {outcomeOf, queryJobs, type JobStatus} from './track.js'

/** What happened to a job, for logs, status and tests. */
export type SlurmJobEvent =
  | {type: 'submitted'; jobId: string; tasks: number; submittedAt: number}
  | {type: 'started'; jobId: string; restart: number; latencyMs: number}
  | {type: 'requeued'; jobId: string; restarts: number}
  | {type: 'ended'; jobId: string; state: string; reason: string; resubmitted: number; failed: number}
  | {type: 'cancelled'; jobId: string}
  /** A job of an agent that died on this host, cancelled when this one started. */
  | {type: 'orphanCancelled'; jobId: string; pid: number}

export interface SlurmExecutorOptions {
  settings: SlurmExecutorSettings
  /** Names the jobs (emstream-<step>) and their folders. */
  step: string
  /** Job folders go under here; it must be on a file system the nodes share. */
  workDir: string
  log?: (line: string, fields?: Record<string, unknown>) => void
  onEvent?: (event: SlurmJobEvent) => void
}

export class SlurmJobError extends Error {
  constructor(
    message: string,
    readonly jobId: string,
    readonly state: string,
  ) {
    super(message)
    this.name = 'SlurmJobError'
  }
}

interface Task {
  id: string
  call: StepCall
  /** Jobs this task has been given to (requeues of one job count too). */
  submissions: number
  settled: boolean
  /** Told the job whose result (or failure) settles the task. */
  placed?: (job: StepJob) => void
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Job {
  id: string
  dir: string
  tasks: Task[]
  submittedAt: number
  restarts: number
  /** The restart count whose start has been reported. */
  startedRestart: number
  /** Polls in a row that neither squeue nor sacct knew the job. */
  unknown: number
  /** SLURM said COMPLETED while results were missing: they get one more poll to appear (NFS). */
  completedOnce: boolean
}

/** Polls in a row a job must be unknown to squeue and sacct before it counts as ended. */
const UNKNOWN_POLLS = 2

/** The node program that runs a job's tasks, with tsx when the agent runs from its TypeScript sources. */
function jobCommand(jobDir: string): string[] {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return [process.execPath, fileURLToPath(new URL('./job-entry.js', here)), jobDir]
  const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href
  return [process.execPath, '--import', tsx, fileURLToPath(new URL('./job-entry.ts', here)), jobDir]
}

export class SlurmExecutor implements StepExecutor {
  private readonly batcher: Batcher<Task>
  private readonly jobs = new Map<string, Job>()
  /** Names job folders apart from other agents' (and this agent's earlier runs) in one workDir. */
  private readonly runId = `${Date.now().toString(36)}-${process.pid}`
  private nextTask = 0
  private nextJob = 0
  private submitting = 0
  private poller: NodeJS.Timeout | undefined
  private polling = false
  /** The sweep for a dead agent's jobs; submissions wait for it, so the queue is ours first. */
  private readonly orphanSweep: Promise<void>

  constructor(private readonly options: SlurmExecutorOptions) {
    const {settings} = options
    this.orphanSweep = this.cancelOrphans()
    this.batcher = new Batcher<Task>({
      size: settings.moviesPerJob,
      waitMs: settings.batchWaitSeconds * 1000,
      capacity: () => this.jobs.size + this.submitting < settings.maxJobs,
      flush: (tasks) => void this.submit(tasks),
    })
  }

  run(call: StepCall, signal?: AbortSignal, placed?: (job: StepJob) => void): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(new StepError('step cancelled', 'AbortError'))
    return new Promise((resolve, reject) => {
      const task: Task = {id: `t${this.nextTask++}`, call, submissions: 0, settled: false, placed, resolve, reject}
      signal?.addEventListener('abort', () => void this.abort(task), {once: true})
      this.batcher.add([task])
    })
  }

  private settle(task: Task, outcome: {ok: true; result: unknown} | {ok: false; error: Error}): void {
    if (task.settled) return
    task.settled = true
    if (outcome.ok) task.resolve(outcome.result)
    else task.reject(outcome.error)
  }

  private async abort(task: Task): Promise<void> {
    const cancelled = new StepError('step cancelled', 'AbortError')
    if (this.batcher.remove(task)) return this.settle(task, {ok: false, error: cancelled})
    const job = [...this.jobs.values()].find((j) => j.tasks.includes(task))
    // The job goes on for its other movies; the last abort cancels it before the stop completes.
    if (job && job.tasks.every((t) => t.settled || t === task)) {
      this.jobs.delete(job.id)
      await cancelJobs([job.id]).catch((e: Error) => this.options.log?.(`scancel ${job.id}: ${e.message}`))
      this.emit({type: 'cancelled', jobId: job.id})
      this.batcher.drain()
    }
    this.settle(task, {ok: false, error: cancelled})
  }

  private async cancelOrphans(): Promise<void> {
    try {
      for (const o of await cancelOrphanedJobs(this.options.workDir, this.options.step)) {
        this.options.log?.(`SLURM job ${o.jobId} cancelled: its agent (pid ${o.owner.pid}) is gone`, {jobId: o.jobId, dir: o.dir})
        this.emit({type: 'orphanCancelled', jobId: o.jobId, pid: o.owner.pid})
      }
    } catch (e) {
      // SLURM not answering must not stop this agent's own work; the orphans are looked at next start.
      this.options.log?.(`SLURM: could not cancel jobs of a dead agent: ${(e as Error).message}`)
    }
  }

  private async submit(tasks: Task[]): Promise<void> {
    this.submitting++
    const dir = join(this.options.workDir, `${this.options.step}-${this.runId}-${this.nextJob++}`)
    try {
      await this.orphanSweep
      mkdirSync(dir, {recursive: true})
      writeTasks(dir, tasks.map((t) => ({id: t.id, call: t.call})))
      const name = `emstream-${this.options.step}`
      writeFileSync(join(dir, SCRIPT_FILE), renderJobScript({settings: this.options.settings, name, command: jobCommand(dir)}))
      const submittedAt = Date.now()
      const id = await submitJob(dir)
      writeSubmitted(dir, {jobId: id, host: hostname(), pid: process.pid, at: submittedAt})
      const live = tasks.filter((t) => !t.settled)
      for (const t of live) t.submissions++
      this.jobs.set(id, {id, dir, tasks: live, submittedAt, restarts: 0, startedRestart: -1, unknown: 0, completedOnce: false})
      this.emit({type: 'submitted', jobId: id, tasks: live.length, submittedAt})
      // Every call was aborted while sbatch ran: nobody waits for this job.
      if (live.length === 0) await this.cancelOrphan(id)
      this.schedulePoll()
    } catch (e) {
      // sbatch refused the job (bad partition, account, limits): each movie's step fails with SLURM's words.
      const error = e instanceof Error ? e : new Error(String(e))
      for (const t of tasks) this.settle(t, {ok: false, error})
    } finally {
      this.submitting--
      // A batch held back by maxJobs may go now (after a refused sbatch, no poll would send it).
      this.batcher.drain()
    }
  }

  private async cancelOrphan(id: string): Promise<void> {
    this.jobs.delete(id)
    await cancelJobs([id]).catch(() => undefined)
    this.emit({type: 'cancelled', jobId: id})
  }

  private schedulePoll(): void {
    if (this.poller || this.polling || this.jobs.size === 0) return
    this.poller = setTimeout(() => {
      this.poller = undefined
      void this.poll()
    }, this.options.settings.pollSeconds * 1000)
  }

  private async poll(): Promise<void> {
    this.polling = true
    try {
      // Only the jobs asked about: one submitted while squeue ran is not "gone" from it.
      const ids = [...this.jobs.keys()]
      const statuses = await queryJobs(ids)
      for (const id of ids) {
        const job = this.jobs.get(id)
        if (job) this.update(job, statuses.get(id))
      }
    } catch (e) {
      // squeue failing (slurmctld restarting) is retried at the next poll.
      this.options.log?.(`SLURM poll failed: ${(e as Error).message}`)
    } finally {
      this.polling = false
      this.batcher.drain()
      this.schedulePoll()
    }
  }

  private update(job: Job, status: JobStatus | undefined): void {
    this.collect(job)
    // One miss may be SLURM catching up; a job unknown twice in a row has ended unseen.
    job.unknown = status ? 0 : job.unknown + 1
    const state = status?.state ?? (job.unknown >= UNKNOWN_POLLS ? 'UNKNOWN' : 'PENDING')
    if (status && status.restarts > job.restarts) this.requeued(job, status.restarts)
    const started = readStarted(job.dir)
    if (started && started.jobId === job.id && started.restart > job.startedRestart) {
      job.startedRestart = started.restart
      this.emit({type: 'started', jobId: job.id, restart: started.restart, latencyMs: started.at - job.submittedAt})
    }
    if (!this.jobs.has(job.id) || outcomeOf(state) === 'active') return
    if (state === 'COMPLETED' && !job.completedOnce && job.tasks.some((t) => !t.settled)) {
      job.completedOnce = true
      return
    }
    this.ended(job, state, status?.reason ?? 'gone from squeue and sacct')
  }

  /** Settles the tasks whose results the job has written. */
  private collect(job: Job): void {
    const results = readResults(job.dir)
    let placement: StepJob | undefined
    for (const task of job.tasks) {
      const reply = results.get(task.id)
      if (!reply || task.settled) continue
      placement ??= {scheduler: 'slurm', jobId: job.id, node: readStarted(job.dir)?.host ?? ''}
      task.placed?.(placement)
      if (reply.ok) this.settle(task, {ok: true, result: reply.result})
      else this.settle(task, {ok: false, error: new StepError(reply.error.message, reply.error.name, reply.error.stack)})
    }
  }

  /** SLURM requeued the job (pre-emption, node failure): each requeue counts as a submission. */
  private requeued(job: Job, restarts: number): void {
    const added = restarts - job.restarts
    job.restarts = restarts
    this.emit({type: 'requeued', jobId: job.id, restarts})
    const live = job.tasks.filter((t) => !t.settled)
    for (const t of live) t.submissions += added
    if (live.some((t) => t.submissions > this.options.settings.resubmissions + 1)) {
      this.jobs.delete(job.id)
      void cancelJobs([job.id]).catch(() => undefined)
      this.failAll(job, live, 'REQUEUED', `requeued ${restarts} times`)
    }
  }

  private ended(job: Job, state: string, reason: string): void {
    this.jobs.delete(job.id)
    const left = job.tasks.filter((t) => !t.settled)
    const again = outcomeOf(state) === 'resubmit' ? left.filter((t) => t.submissions <= this.options.settings.resubmissions) : []
    const failed = left.filter((t) => !again.includes(t))
    this.emit({type: 'ended', jobId: job.id, state, reason, resubmitted: again.length, failed: failed.length})
    if (left.length > 0) this.options.log?.(`SLURM job ${job.id} ended ${state} (${reason}): ${again.length} movie(s) resubmitted, ${failed.length} failed`)
    this.failAll(job, failed, state, reason)
    if (again.length > 0) this.batcher.add(again, true)
  }

  private failAll(job: Job, tasks: Task[], state: string, reason: string): void {
    if (tasks.length === 0) return
    const tail = logTail(job.dir, job.id)
    const why = state === 'COMPLETED' ? 'completed without a result for this movie' : `ended ${state} (${reason})`
    const message = `SLURM job ${job.id} ${why} after ${tasks[0].submissions} submission(s)${tail ? `; its log ends: ${tail}` : ''}`
    for (const t of tasks) this.settle(t, {ok: false, error: new SlurmJobError(message, job.id, state)})
  }

  private emit(event: SlurmJobEvent): void {
    this.options.onEvent?.(event)
  }
}
