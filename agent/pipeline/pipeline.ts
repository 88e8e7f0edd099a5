// Runs each movie through its steps, pipelined: step k+1 of a movie starts as soon as its
// step k is done while other movies occupy other steps. Oldest movie first; a step that does
// not fit the free resources reserves them, so younger movies cannot starve it.
import type {LocalState} from './local-state.js'
import type {MovieRecord, StepName, StepRunRecord} from './movie.js'
import {ResourcePool, type Grant, type ResourceRequest} from './resources.js'
import type {StepCall} from './step-runner.js'

/** How the pipeline runs one step: which function, with what, holding which resources. */
export interface StepBinding {
  name: StepName
  /** "builtin" or the external program's name. */
  program: string
  /** Workflow revision these settings come from. */
  version: number
  applies(movie: MovieRecord): boolean
  resources: ResourceRequest
  /** The step's own retry policy (workflow `retries`, `retryBackoffSeconds`); absent = the pipeline's attempts, no wait. */
  retry?: RetryPolicy
  /** Runs this step's calls elsewhere (a SLURM executor, agent/executors); absent = the pipeline's executor. */
  executor?: StepExecutor
  /** The call, and the options it passes (recorded as the run's parameters). */
  call(movie: MovieRecord, results: Partial<Record<StepName, unknown>>, grant: Grant): {call: StepCall; parameters: Record<string, unknown>}
}

export interface RetryPolicy {
  /** Tries after the first failure; absent = the pipeline's `attempts` - 1. */
  retries?: number
  /** Wait before the first retry (s), doubled on each further one. */
  backoffSeconds: number
}

/** The batch job a call ran in, for its provenance. */
export type StepJob = NonNullable<StepRunRecord['job']>

export interface StepExecutor {
  /**
   * Aborting `signal` cancels the call (an external program's process is killed). An executor
   * that runs calls as batch jobs tells `placed` which job the outcome came from.
   */
  run(call: StepCall, signal?: AbortSignal, placed?: (job: StepJob) => void): Promise<unknown>
}

export interface PipelineOptions {
  state: LocalState
  steps: StepBinding[]
  pool: ResourcePool
  executor: StepExecutor
  /** Tries per step before the movie is failed. */
  attempts: number
  /** Version of the built-in programs (emstream's). */
  softwareVersion: string
  log?: (line: string, fields?: Record<string, unknown>) => void
}

/** A step of a workflow this agent cannot run (e.g. it needs GPUs the agent was not given). */
export class UnrunnableStepError extends Error {
  constructor(
    readonly step: StepName,
    readonly problem: string,
  ) {
    super(`step ${step} ${problem}`)
    this.name = 'UnrunnableStepError'
  }
}

export interface PipelineCounts {
  found: number
  done: number
  failed: number
  /** Dropped unprocessed: their leases went to another agent (shared agents). */
  released: number
  queued: number
  running: number
}

export class Pipeline {
  private readonly running = new Map<string, StepName>()
  /** Cancels each running step (stop()). */
  private readonly cancels = new Map<string, AbortController>()
  private readonly stopWaiters: (() => void)[] = []
  /** Reruns of movies that had a step running when they came: applied when it ends. */
  private readonly pendingReruns = new Map<string, {steps: StepName[]; rerun: number}>()
  private readonly idleWaiters: (() => void)[] = []
  /** Movies waiting out a retry backoff: not scheduled until their timer fires. */
  private readonly backingOff = new Map<string, NodeJS.Timeout>()
  private stopped = false

  constructor(private options: PipelineOptions) {
    for (const step of options.steps) step.resources = this.clamp(step)
  }

  /** Registers a found movie (durably) and schedules it. */
  add(movie: Omit<MovieRecord, 'order' | 'status' | 'steps'>): MovieRecord {
    const record = this.options.state.addMovie(movie)
    this.schedule()
    return record
  }

  /**
   * Runs new steps with these bindings (a new workflow revision) and, when given, its GPU
   * sharing (runs per GPU id); running steps finish as they were. Throws UnrunnableStepError before
   * changing anything when a step needs GPUs the pool lacks.
   */
  rebind(steps: StepBinding[], jobsPerGpu?: number): void {
    const clamped = steps.map((step) => this.clamp(step))
    if (jobsPerGpu !== undefined) this.options.pool.setJobsPerGpu(jobsPerGpu)
    steps.forEach((step, i) => (step.resources = clamped[i]))
    this.options.steps = steps
    this.schedule()
  }

  /**
   * Runs `steps` of these movies again (rerun request `rerun`, bound by a rebind() before it).
   * Movies this agent does not hold are skipped; each request applies once per movie.
   * Returns the movies queued again (or to be, once their running step ends).
   */
  rerun(movies: string[], steps: StepName[], rerun: number): string[] {
    const taken = movies.filter((id) => {
      const movie = this.options.state.get(id)
      return movie !== undefined && movie.status !== 'released' && (movie.lastRerun ?? 0) < rerun
    })
    for (const id of taken) {
      if (this.running.has(id)) this.pendingReruns.set(id, {steps, rerun})
      else this.options.state.resetSteps(id, steps, rerun)
    }
    this.schedule()
    return taken
  }

  /**
   * Drops queued movies no step of which has started (their leases went to another agent);
   * one already started keeps running here. Returns the movies dropped.
   */
  release(ids: string[]): string[] {
    const dropped = ids.filter((id) => {
      const movie = this.options.state.get(id)
      return movie?.status === 'queued' && Object.keys(movie.steps).length === 0 && !this.running.has(id) && !this.backingOff.has(id)
    })
    for (const id of dropped) this.options.state.movieReleased(id)
    if (dropped.length > 0) this.schedule()
    return dropped
  }

  /** Schedules what local state left queued (after a restart). */
  resume(): void {
    this.schedule()
  }

  counts(): PipelineCounts {
    const tally = this.options.state.tally()
    return {...tally, queued: tally.queued - this.running.size, running: this.running.size}
  }

  /** Resolves when no movie is queued or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Starts no new steps and cancels the running ones (their processes are killed); they stay
   * started in local state, so a restart redoes them. Resolves when every running step has ended.
   */
  stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.backingOff.values()) clearTimeout(timer)
    this.backingOff.clear()
    for (const controller of this.cancels.values()) controller.abort()
    if (this.running.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.stopWaiters.push(resolve))
  }

  /** The step's resources fitted to the pool; UnrunnableStepError when the pool can never grant them. */
  private clamp(step: StepBinding): StepBinding['resources'] {
    try {
      return this.options.pool.clamp(step.resources)
    } catch (error) {
      throw new UnrunnableStepError(step.name, (error as Error).message)
    }
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.options.state.queued().length === 0
  }

  private schedule(): void {
    if (this.stopped) return
    const reserved = {cpu: false, gpu: false}
    for (const movie of this.options.state.queued()) {
      if (this.running.has(movie.id) || this.backingOff.has(movie.id)) continue
      const step = this.nextStep(movie)
      if (!step) {
        this.options.state.movieDone(movie.id)
        continue
      }
      const need = step.resources
      if ((need.cpu > 0 && reserved.cpu) || (need.gpu > 0 && reserved.gpu)) continue
      if (!this.options.pool.fits(need)) {
        reserved.cpu ||= need.cpu > 0
        reserved.gpu ||= need.gpu > 0
        continue
      }
      this.start(movie, step, this.options.pool.take(need))
    }
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private nextStep(movie: MovieRecord): StepBinding | undefined {
    return this.options.steps.find((s) => s.applies(movie) && movie.steps[s.name]?.status !== 'done')
  }

  private start(movie: MovieRecord, step: StepBinding, grant: Grant): void {
    const {state, executor} = this.options
    this.running.set(movie.id, step.name)
    let prepared: ReturnType<StepBinding['call']>
    try {
      prepared = step.call(movie, resultsOf(movie), grant)
    } catch (e) {
      this.finish(movie, step, grant, undefined, e)
      return
    }
    state.stepStarted(movie.id, step.name, step.version, step.program)
    this.options.log?.(`${movie.id}: ${step.name} started`, {movie: movie.id, step: step.name})
    const run = {program: step.program, parameters: prepared.parameters, startedAt: Date.now()}
    const cancel = new AbortController()
    this.cancels.set(movie.id, cancel)
    const runOn = step.executor ?? executor
    const placed = (job: StepJob) => Object.assign(run, {job})
    runOn.run(prepared.call, cancel.signal, placed).then(
      (result) => this.finish(movie, step, grant, run, undefined, result),
      (error: unknown) => this.finish(movie, step, grant, run, error),
    )
  }

  private finish(
    movie: MovieRecord,
    step: StepBinding,
    grant: Grant,
    started: {program: string; parameters: Record<string, unknown>; startedAt: number; job?: StepJob} | undefined,
    error: unknown,
    result?: unknown,
  ): void {
    const {state, pool, attempts} = this.options
    pool.give(grant)
    this.running.delete(movie.id)
    this.cancels.delete(movie.id)
    if (this.stopped && error !== undefined) {
      // Cancelled by stop(): not the movie's failure; the step is redone after a restart.
      if (this.running.size === 0) for (const resolve of this.stopWaiters.splice(0)) resolve()
      return
    }
    const run: StepRunRecord | undefined = started && {
      ...started,
      version: this.options.softwareVersion,
      argv: [],
      endedAt: Date.now(),
      exitStatus: null,
      stderrTail: '',
      ...externalRun(result),
    }
    if (error === undefined) {
      state.stepDone(movie.id, step.name, result, run!)
      this.options.log?.(`${movie.id}: ${step.name} done`, {movie: movie.id, step: step.name})
    } else {
      const message = error instanceof Error ? error.message : String(error)
      // This failure included; a step that could not even be prepared (bad options) fails at once.
      const failures = (movie.steps[step.name]?.failures ?? 0) + 1
      const allowed = step.retry?.retries !== undefined ? step.retry.retries + 1 : attempts
      const final = started === undefined || failures >= allowed
      state.stepFailed(movie.id, step.name, message, final, run)
      this.options.log?.(`${movie.id}: ${step.name} failed${final ? '' : ' (will retry)'}: ${message}`, {
        movie: movie.id,
        step: step.name,
        error: message,
      })
      if (final) state.movieFailed(movie.id, {step: step.name, message})
      else this.backOff(movie.id, (step.retry?.backoffSeconds ?? 0) * 2 ** (failures - 1))
    }
    const rerun = this.pendingReruns.get(movie.id)
    if (rerun) {
      this.pendingReruns.delete(movie.id)
      state.resetSteps(movie.id, rerun.steps, rerun.rerun)
    }
    this.schedule()
    if (this.stopped && this.running.size === 0) for (const resolve of this.stopWaiters.splice(0)) resolve()
  }

  private backOff(movieId: string, seconds: number): void {
    if (seconds <= 0 || this.stopped) return
    const timer = setTimeout(() => {
      this.backingOff.delete(movieId)
      this.schedule()
    }, seconds * 1000)
    this.backingOff.set(movieId, timer)
  }
}

/** An external program's result carries its provenance (agent/steps/external/provenance.ts). */
function externalRun(result: unknown): Partial<StepRunRecord> {
  const p = (result as {provenance?: {version: string; argv: string[]; exitStatus: number; stderrTail: string}} | undefined)?.provenance
  return p ? {version: p.version, argv: p.argv, exitStatus: p.exitStatus, stderrTail: p.stderrTail} : {}
}

function resultsOf(movie: MovieRecord): Partial<Record<StepName, unknown>> {
  const results: Partial<Record<StepName, unknown>> = {}
  for (const [name, s] of Object.entries(movie.steps)) if (s?.status === 'done') results[name as StepName] = s.result
  return results
}
