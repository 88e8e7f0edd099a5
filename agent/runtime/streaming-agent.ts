// The streaming agent: watch -> pipeline -> local state -> outbox -> controller link, wired
// once. It keeps processing while the controller is away, and resumes after a restart from
// its state folder without redoing or skipping anything.
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join, relative, resolve, sep} from 'node:path'
import type {AgentEvent, RerunMessage, SessionInfo, WorkflowStatus} from '../../core/protocol/index.js'
import type {StepName, Workflow} from '../../core/workflow/types.js'
import {ControllerLink, type WorkflowDelivery} from '../link/client.js'
import {causesEvent, eventForRecord} from '../link/events.js'
import {MovieOffers} from '../link/movie-offers.js'
import {Outbox} from '../link/outbox.js'
import {bindWorkflow} from '../pipeline/bindings.js'
import {LocalState} from '../pipeline/local-state.js'
import {Pipeline, UnrunnableStepError, type PipelineCounts} from '../pipeline/pipeline.js'
import {ResourcePool} from '../pipeline/resources.js'
import {StepRunner} from '../pipeline/step-runner.js'
import {workflowJobsPerGpu} from '../steps/external/binding.js'
import {SystemSampler} from '../system/sampler.js'
import type {CompletenessCheck} from '../watch/readiness.js'
import {MovieWatcher, type FoundMovie} from '../watch/watcher.js'
import type {Logger} from './logger.js'
import {localWorkflow, toShared, type PathPrefix} from './path-map.js'

export interface StreamingAgentOptions {
  controllerUrl: string
  token: string
  /** PEM CA certificate(s) pinned for a wss:// controller. */
  ca?: string
  project: string
  agentId: string
  /** Local state, outbox and the last workflow received. */
  stateDir: string
  /** Where the steps write their outputs. */
  outDir: string
  /** Overrides the workflow's acquisition.inputFolder. */
  watchDir?: string
  usePolling: boolean
  pollIntervalMs: number
  cpuThreads: number
  gpuIds: number[]
  attempts: number
  systemSampleMs: number
  software: string
  checkComplete: CompletenessCheck
  stableMs?: number
  giveUpMs?: number
  log: Logger
  /** Several agents on one session: process only the movies the controller leases this one, `slots` at once. */
  shared?: {slots: number}
  /** Where this agent sees the session's files (--path-map). */
  pathMap?: PathPrefix[]
}

type NewMovie = Parameters<Pipeline['add']>[0]

export class StreamingAgent {
  private readonly host = hostname()
  private readonly outbox: Outbox<AgentEvent>
  private readonly state: LocalState
  private readonly runner: StepRunner
  private readonly pipeline: Pipeline
  private readonly link: ControllerLink
  private readonly sampler: SystemSampler
  private watcher?: MovieWatcher
  private watchRoot?: string
  private revision = 0
  private workflow?: Workflow
  private sampleTimer?: NodeJS.Timeout
  private acceptingMovies = true
  private readonly workflowFile: string
  /** Found movies waiting for a lease (shared agents only). */
  private readonly offers?: MovieOffers<NewMovie>
  /** A path as the controller names it (the inverse of --path-map). */
  private readonly sharedPath = (path: string) => toShared(this.options.pathMap ?? [], path)
  /** The last verdict on a workflow revision sent to the controller ("revision:accepted"). */
  private reportedWorkflow?: string

  constructor(private readonly options: StreamingAgentOptions) {
    mkdirSync(options.stateDir, {recursive: true})
    this.workflowFile = join(options.stateDir, 'workflow.json')
    this.outbox = new Outbox(join(options.stateDir, 'outbox'))
    this.state = LocalState.open(options.stateDir)
    this.requeueLostEvent()
    this.state.setHooks({
      stamp: (record) => (causesEvent(record) ? this.outbox.nextSeq() : undefined),
      written: (record, movie) => {
        if (record.t === 'movie-done') options.log.info(`${movie.id}: processed`, {movie: movie.id})
        if (record.t === 'movie-failed') options.log.warn(`${movie.id}: failed at ${record.failure.step}: ${record.failure.message}`, {movie: movie.id, step: record.failure.step})
        const event = eventForRecord(record, movie, this.host, this.sharedPath)
        if (event && record.seq !== undefined) this.outbox.append(event, record.seq, record.t === 'movie' ? movie.foundAt : record.at)
      },
    })
    this.runner = new StepRunner(options.cpuThreads)
    this.pipeline = new Pipeline({
      state: this.state,
      steps: [],
      pool: new ResourcePool(options.cpuThreads, options.gpuIds),
      executor: this.runner,
      attempts: options.attempts,
      softwareVersion: options.software,
      log: (line, fields) => options.log.debug(line, fields),
    })
    this.link = new ControllerLink({
      url: options.controllerUrl,
      token: options.token,
      ca: options.ca,
      project: options.project,
      agentId: options.agentId,
      host: this.host,
      software: options.software,
      outbox: this.outbox,
      log: (level, line, fields) => options.log[level](line, fields),
      onWorkflow: (delivery) => void this.useWorkflow(delivery, true),
      onSession: (session) => this.useSession(session),
      onRerun: (rerun) => void this.rerun(rerun),
      onConnected: (leases) => this.offers?.connected(leases),
      onLease: (lease) => this.offers?.received(lease),
    })
    if (options.shared) {
      this.offers = new MovieOffers<NewMovie>({
        slots: options.shared.slots,
        send: (message) => this.link.sendControl(message),
        // A grant repeated after a restart may name a movie already taken.
        take: (movie) => void (this.state.get(movie.id) ?? this.pipeline.add(movie)),
        revoke: (ids) => this.pipeline.release(ids),
        log: (level, line, fields) => options.log[level](line, fields),
      })
    }
    this.sampler = new SystemSampler({
      disks: [options.outDir, ...(options.watchDir ? [options.watchDir] : [])],
      pipeline: () => {
        const c = this.pipeline.counts()
        return {queued: c.queued, running: c.running}
      },
    })
  }

  /** Connects, and starts processing at once when a workflow from an earlier run is on disk. */
  async start(): Promise<void> {
    this.link.start()
    if (existsSync(this.workflowFile)) {
      const saved = JSON.parse(readFileSync(this.workflowFile, 'utf8')) as WorkflowDelivery
      await this.useWorkflow(saved, false)
    } else this.options.log.info('waiting for the controller to send the workflow (schedule-project)')
    if (this.options.systemSampleMs > 0) this.scheduleSample()
  }

  counts(): PipelineCounts & {connected: boolean; pendingEvents: number} {
    return {...this.pipeline.counts(), connected: this.link.connected, pendingEvents: this.outbox.pending().length}
  }

  /** Resolves when every found movie is done or failed. */
  idle(): Promise<void> {
    return this.pipeline.idle()
  }

  async stop(): Promise<void> {
    if (this.sampleTimer) clearTimeout(this.sampleTimer)
    this.offers?.close()
    // Cancels running steps (external programs are killed); the runner's close ends them.
    const steps = this.pipeline.stop()
    await this.watcher?.close()
    this.link.close()
    await this.runner.close()
    await steps
    this.state.close()
    this.outbox.close()
  }

  /** A crash between a state write and its outbox append loses that one event; rebuild it from the record. */
  private requeueLostEvent(): void {
    const last = this.state.lastRecord()
    if (last?.seq === undefined || last.seq <= this.outbox.lastSeq) return
    const movie = this.state.get(last.t === 'movie' ? last.movie.id : last.id)
    const event = movie && eventForRecord(last, movie, this.host, this.sharedPath)
    if (event) this.outbox.append(event, last.seq, last.t === 'movie' ? movie.foundAt : last.at)
  }

  private async useWorkflow(delivery: WorkflowDelivery, fromController: boolean): Promise<void> {
    if (delivery.revision <= this.revision) return
    const workflow = localWorkflow(delivery.workflow as Workflow, this.options.pathMap ?? [])
    let steps
    try {
      steps = bindWorkflow({workflow, revision: delivery.revision, outDir: this.options.outDir, executors: {log: (line, fields) => this.options.log.info(line, fields)}})
      // Throws before changing anything when a step needs GPUs this agent was not given.
      this.pipeline.rebind(steps, workflowJobsPerGpu(workflow))
    } catch (error) {
      const reason = (error as Error).message
      this.options.log.error(`workflow revision ${delivery.revision} refused: ${reason}`)
      // The controller alerts on it: an agent that cannot run the workflow must not sit idle unseen.
      this.reportWorkflow({revision: delivery.revision, accepted: false, reason: reason.slice(0, 2000), ...(error instanceof UnrunnableStepError ? {step: error.step} : {})})
      return
    }
    this.revision = delivery.revision
    this.workflow = workflow
    if (fromController) {
      writeFileSync(`${this.workflowFile}.tmp`, JSON.stringify(delivery))
      renameSync(`${this.workflowFile}.tmp`, this.workflowFile)
    }
    this.options.log.info(`workflow revision ${delivery.revision}: ${steps.map((s) => s.name).join(' -> ')}`)
    this.reportWorkflow({revision: delivery.revision, accepted: true})
    await this.watch(workflow)
  }

  /** Tells the controller, durably (outbox), what this agent made of a workflow revision; once per verdict. */
  private reportWorkflow(status: Omit<WorkflowStatus, 'kind'>): void {
    const key = `${status.revision}:${status.accepted}`
    if (this.reportedWorkflow === key) return
    this.reportedWorkflow = key
    this.outbox.append({kind: 'workflowStatus', ...status})
  }

  /** A rerun request: its workflow revision first (the new version), then the steps of the movies this agent holds. */
  private async rerun(rerun: RerunMessage): Promise<void> {
    await this.useWorkflow({revision: rerun.revision, workflow: rerun.workflow}, true)
    if (this.revision < rerun.revision) return // the workflow was refused (logged)
    const taken = this.pipeline.rerun(rerun.movies, rerun.steps as StepName[], rerun.id)
    if (taken.length > 0) this.options.log.info(`rerun ${rerun.id}: ${rerun.steps.join(' -> ')} of ${taken.length} movie(s) under revision ${rerun.revision}`)
  }

  private useSession(session: SessionInfo): void {
    this.acceptingMovies = session.acceptingMovies
    if (!session.acceptingMovies && this.watcher) {
      this.options.log.info(`session ${session.state}: no new movies; finishing the queue`)
      void this.watcher.close()
      this.watcher = undefined
      this.watchRoot = undefined
    } else if (session.acceptingMovies && !this.watcher && this.workflow) void this.watch(this.workflow)
  }

  private async watch(workflow: Workflow): Promise<void> {
    const root = resolve(this.options.watchDir ?? workflow.acquisition.inputFolder)
    if (!this.acceptingMovies || this.watchRoot === root) return
    // Claimed before any await, so a second call meanwhile does not start a second watcher.
    this.watchRoot = root
    const previous = this.watcher
    this.watcher = undefined
    await previous?.close()
    mkdirSync(root, {recursive: true})
    // The gain reference and defect map often sit beside the movies and match *.mrc: never movies.
    const notMovies = new Set([workflow.acquisition.gainReference, workflow.acquisition.defectFile].filter((p) => p !== undefined).map((p) => resolve(root, p)))
    const patterns = workflow.acquisition.filePatterns.map((p) => (workflow.acquisition.recursive && !p.includes('/') ? `**/${p}` : p))
    const watcher = new MovieWatcher({
      dir: root,
      pattern: patterns.join(','),
      usePolling: this.options.usePolling,
      pollIntervalMs: this.options.pollIntervalMs,
      depth: workflow.acquisition.recursive ? undefined : 0,
      isKnown: (path) => this.state.hasPath(path) || notMovies.has(path),
      checkComplete: this.options.checkComplete,
      stableMs: this.options.stableMs,
      giveUpMs: this.options.giveUpMs,
    })
    watcher.on('movie', (found) => this.register(found, root))
    watcher.on('error', (error) => this.options.log.warn(`watcher: ${error.message}`))
    this.watcher = watcher
    await watcher.start()
    this.options.log.info(`watching ${root} for ${patterns.join(', ')}${this.options.usePolling ? ' (polling)' : ''}`)
  }

  private register(found: FoundMovie, root: string): void {
    if (this.state.hasPath(found.path)) return
    const id = relative(root, found.path).split(sep).join('/')
    if (found.incomplete) this.options.log.warn(`${id}: still incomplete after waiting (${found.incomplete}); processing it anyway so it fails visibly`)
    if (found.checksumError) this.options.log.warn(`${found.path}: no checksum: ${found.checksumError}`)
    if (found.sidecarError) this.options.log.warn(`${id}: sidecar unreadable: ${found.sidecarError}`)
    // A shared agent waits for the controller's lease; otherwise every movie found is this agent's.
    const add = (movie: NewMovie) => (this.offers ? this.offers.offer(movie) : void this.pipeline.add(movie))
    add({
      id,
      path: found.path,
      foundAt: Date.now(),
      size: found.size,
      mtimeMs: found.mtimeMs,
      ...(found.checksum ? {checksum: found.checksum} : {}),
      format: found.format,
      kind: found.kind,
      ...(found.sidecar ? {sidecar: found.sidecar} : {}),
    })
  }

  private scheduleSample(): void {
    this.sampleTimer = setTimeout(async () => {
      try {
        this.outbox.append(await this.sampler.sample())
      } catch (error) {
        this.options.log.debug(`system sample failed: ${(error as Error).message}`)
      }
      this.scheduleSample()
    }, this.options.systemSampleMs)
    this.sampleTimer.unref()
  }
}
