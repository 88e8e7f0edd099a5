// An open project: the database in memory, kept durable by the journal and snapshots.
// open = newest snapshot + the journal after it. Every change goes through commit():
// apply to the database, append to the journal; durable() says when it is on disk. A full
// disk stalls durability (retried; storageProblem() for the alert) instead of failing the project.
import {existsSync} from 'node:fs'
import type {EventMessage, SessionInfo} from '../../core/protocol/index.js'
import type {StepName, Workflow} from '../../core/workflow/index.js'
import {Applier} from './apply.js'
import {openDatabase, type Database} from './database.js'
import {ProjectError} from './errors.js'
import {Journal, readJournal, type JournalHooks} from './journal.js'
import {acquireLock} from './lock.js'
import type {ProjectLayout} from './layout.js'
import {
  agentSeqs,
  currentSession,
  lastMovieFoundAt,
  metaValue,
  movieCounts,
  projectStatus,
  rerunRequests,
  workflowRevision,
  type ProjectStatus,
  type SessionRow,
} from './queries.js'
import type {JournalEntry, NewAlert, RerunRequest} from './records.js'
import type {LeaseTiming} from './lease-table.js'
import {DEFAULT_LEASE_TIMING, ProjectLeases} from './project-leases.js'
import {readSnapshot, writeSnapshot} from './snapshot.js'
import {requiredSteps} from './steps.js'
import {asDiskFull, isDiskFull, StorageHealth, type StorageProblem} from './storage.js'

export type IngestOutcome = {status: 'applied'} | {status: 'duplicate'} | {status: 'gap'; expected: number}

export interface SnapshotPolicy {
  /** Snapshot after this many journal records... */
  records: number
  /** ...or this long (ms) after the last snapshot, when anything changed. */
  intervalMs: number
}

/** Records applied in one SQLite transaction at most. */
const MAX_BATCH_RECORDS = 1000

/** Rethrows all but a full disk (which the storage alert reports and a later write retries). */
function unlessDiskFull(error: unknown): void {
  if (!isDiskFull(error)) throw error
}

export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = {records: 50_000, intervalMs: 5 * 60_000}

export interface OpenOptions {
  /** Read without the lock and without repairing a torn journal tail (status while a controller serves). */
  readOnly?: boolean
  snapshotPolicy?: SnapshotPolicy
  /** Called with each change that could not be applied (it is journaled and skipped on replay too). */
  onApplyProblem?: (problem: string, entry: JournalEntry) => void
  /** Called with the problem when the projects disk starts refusing writes, and with undefined once all write again. */
  onStorage?: (problem: string | undefined) => void
  /** Movie leases of shared agents (DEFAULT_LEASE_TIMING). */
  leaseTiming?: LeaseTiming
}

type SessionListener = (session: SessionInfo, workflow: {revision: number; workflow: Workflow}) => void
type RerunListener = (rerun: RerunRequest) => void

/** A problem of a controller service (not a monitor's finding), alerted while it lasts. */
export interface ServiceProblem {
  key: string
  severity: NewAlert['severity']
  message: string
  since: number
}

export class Project {
  private readonly applier: Applier
  private seqs = new Map<string, number>()
  /** The current session row, re-read after each session change (hot paths read it per event). */
  private current: SessionRow
  private readonly listeners = new Set<SessionListener>()
  private readonly rerunListeners = new Set<RerunListener>()
  private steps: StepName[]
  private recordsSinceSnapshot = 0
  private lastSnapshotAt = Date.now()
  private snapshotting: Promise<void> | undefined
  private closed = false
  private inBatch = false
  private batchSize = 0
  /** Agents' applied seqs not yet written to the agents table (written once per batch). */
  private readonly unsavedSeqs = new Map<string, {seq: number; at: number}>()
  private closing: Promise<void> | undefined
  private cachedWorkflow: {revision: number; workflow: Workflow} | undefined
  private movieLeases: ProjectLeases | undefined
  /** Per agent, the highest seq whose record is on disk: all an agent may be told is applied. */
  private durableSeqs = new Map<string, number>()
  /** Event records appended but not yet on disk, oldest first, from `undurableHead` on. */
  private undurable: {j: number; agentId: string; seq: number}[] = []
  private undurableHead = 0
  private readonly serviceProblemsByKey = new Map<string, ServiceProblem>()
  private readonly storage = new StorageHealth((problem) => this.options.onStorage?.(problem))

  private constructor(
    readonly name: string,
    readonly layout: ProjectLayout,
    readonly db: Database,
    private readonly journal: Journal | undefined,
    private readonly releaseLock: (() => void) | undefined,
    private readonly options: OpenOptions,
  ) {
    this.current = currentSession(db)
    this.steps = requiredSteps(this.workflow().workflow)
    this.applier = new Applier(db, this.steps)
  }

  static async open(layout: ProjectLayout, options: OpenOptions = {}): Promise<Project> {
    if (!existsSync(layout.snapshot)) {
      throw new ProjectError(layout.root, 'no such project (create it with `controller create-project`)')
    }
    const release = options.readOnly ? undefined : acquireLock(layout.lock, layout.root)
    try {
      const db = await openDatabase(await readSnapshot(layout.snapshot))
      const snapshotIndex = Number(metaValue(db, 'journal_index') ?? 0)
      const records = readJournal(layout.journal, snapshotIndex, {repairTail: !options.readOnly})
      const lastIndex = records.length > 0 ? records[records.length - 1].j : snapshotIndex
      // The hooks reach the project once it exists; the journal calls none before the first append.
      let opened: Project | undefined
      const hooks: JournalHooks = {
        onDurable: (index) => opened?.madeDurable(index),
        onStall: (error) => opened?.storage.fail('journal', error),
        onRecover: () => opened?.storage.ok('journal'),
      }
      const journal = options.readOnly ? undefined : await Journal.open(layout.journal, lastIndex, hooks)
      const project = new Project(String(metaValue(db, 'name')), layout, db, journal, release, options)
      opened = project
      project.seqs = agentSeqs(db)
      for (const record of records) {
        project.beginBatch()
        project.applyOne(record)
      }
      project.endBatch()
      project.current = currentSession(db)
      // A replayed rerun may have changed the workflow revision in force.
      project.steps = requiredSteps(project.workflow().workflow)
      project.applier.setRequiredSteps(project.steps)
      project.recordsSinceSnapshot = records.length
      project.durableSeqs = new Map(project.seqs)
      project.undurable = []
      return project
    } catch (error) {
      release?.()
      throw error
    }
  }

  /** Highest applied seq of an agent (0 before its first event). */
  lastSeq(agentId: string): number {
    return this.seqs.get(agentId) ?? 0
  }

  /** Highest seq of an agent whose event is on disk: what a welcome may report as applied. */
  durableSeq(agentId: string): number {
    return this.durableSeqs.get(agentId) ?? 0
  }

  /** Why and since when the projects disk refuses this project's writes; undefined while it takes them. */
  storageProblem(): StorageProblem | undefined {
    return this.storage.problem()
  }

  /**
   * A controller service's own trouble (e.g. the report not publishing), set while it lasts and
   * cleared with undefined: the monitors alert it then, so it is not resolved as a stale alert.
   */
  setServiceProblem(key: string, problem: Omit<ServiceProblem, 'key' | 'since'> | undefined, at = Date.now()): void {
    if (!problem) this.serviceProblemsByKey.delete(key)
    else this.serviceProblemsByKey.set(key, {key, ...problem, since: this.serviceProblemsByKey.get(key)?.since ?? at})
  }

  serviceProblems(): ServiceProblem[] {
    return [...this.serviceProblemsByKey.values()]
  }

  /**
   * Reports how a write of the project's report went (controller/report): a full disk joins the
   * storage alert, success clears its part. Other errors are the caller's to report.
   */
  reportWritten(error?: unknown): void {
    const full = error === undefined ? undefined : asDiskFull(error, this.layout.root, 'report write')
    if (full) this.storage.fail('report', full)
    else if (error === undefined) this.storage.ok('report')
  }

  /**
   * Applies an agent's event exactly once: duplicates are recognised, gaps refused. `frame` is
   * the message's JSON text as received, when there is one: the journal stores it as it is.
   */
  ingest(message: EventMessage, receivedAt = Date.now(), frame?: string): IngestOutcome {
    const last = this.lastSeq(message.agentId)
    if (message.seq <= last) return {status: 'duplicate'}
    if (message.seq !== last + 1) return {status: 'gap', expected: last + 1}
    if (message.event.kind === 'movieFound' && this.current.state === 'scheduled') this.session('start', receivedAt)
    this.commit({type: 'event', receivedAt, message}, frame)
    this.leases.afterEvent(message.agentId, message.event, receivedAt)
    if (message.event.kind === 'stepFinished' || message.event.kind === 'stepFailed') this.closeIfFinished(receivedAt)
    return {status: 'applied'}
  }

  /** Which shared agent processes which movie; built from the journal-replayed leases on first use. */
  get leases(): ProjectLeases {
    this.movieLeases ??= new ProjectLeases(
      this.applier.leases,
      this.options.leaseTiming ?? DEFAULT_LEASE_TIMING,
      (grant) => this.commit(grant),
      () => this.durable(),
    )
    return this.movieLeases
  }

  /** Expires leases of agents not heard from in time (their movies go to others); the session may end. */
  tickLeases(now = Date.now()): void {
    this.leases.tick(now)
    this.closeIfFinished(now)
  }

  agentConnected(agentId: string, host: string, software: string, at = Date.now()): void {
    this.commit({type: 'agentConnected', agentId, host, software, at})
    if (this.current.state === 'scheduled') this.session('start', at)
  }

  /** Starts the session: agents get the workflow. No-op when already scheduled or running. */
  schedule(at = Date.now()): void {
    const {state} = this.current
    if (state === 'closed') throw new ProjectError(this.name, 'the session is closed; create a new project to stream again')
    if (state === 'created') this.session('schedule', at)
  }

  /** stop-streaming: take no new movies, finish the queued ones, then close. */
  closeInput(reason: string, at = Date.now()): void {
    const session = this.current
    if (session.state === 'closed' || session.inputClosedAt !== null) return
    if (session.state === 'created') this.session('schedule', at)
    this.session('closeInput', at, reason)
    this.closeIfFinished(at)
  }

  raiseAlert(alert: NewAlert, at = Date.now()): void {
    this.commit({type: 'alert', at, alert})
  }

  /** Resolves the open alert of a monitor key (controller/monitors); a no-op row update when none is open. */
  resolveAlert(monitor: string, at = Date.now()): void {
    this.commit({type: 'alertResolved', at, monitor})
  }

  /** Stores the exposure curation thresholds in force (controller/curation). */
  setCurationThresholds(thresholds: Record<string, unknown>, at = Date.now()): void {
    this.commit({type: 'curation', at, thresholds})
  }

  /**
   * Records a rerun request (controller/rerun builds it): its workflow becomes the session's new
   * revision, and listeners (the server) deliver it to the agents.
   */
  rerun(request: RerunRequest, at = Date.now()): void {
    if (this.current.state === 'created') throw new ProjectError(this.name, 'the session is not scheduled yet; nothing to re-run')
    this.commit({type: 'rerun', at, rerun: request})
    this.current = currentSession(this.db)
    this.steps = requiredSteps(this.workflow().workflow)
    this.applier.setRequiredSteps(this.steps)
    for (const listener of this.rerunListeners) listener(request)
  }

  /** Every rerun request so far, oldest first (re-sent to each agent that joins). */
  reruns(): RerunRequest[] {
    return rerunRequests(this.db)
  }

  /** Calls listener with each new rerun request. */
  onRerun(listener: RerunListener): () => void {
    this.rerunListeners.add(listener)
    return () => this.rerunListeners.delete(listener)
  }

  /** Periodic upkeep: the idle timeout and snapshots. */
  async tick(now = Date.now()): Promise<void> {
    const session = this.current
    if (session.state === 'running' && session.inputClosedAt === null) {
      const idleMs = this.workflow().workflow.session.idleTimeoutHours * 3_600_000
      const since = lastMovieFoundAt(this.db) ?? session.startedAt ?? now
      if (now - since >= idleMs) this.closeInput(`no new movie for ${this.workflow().workflow.session.idleTimeoutHours} h`, now)
    }
    const due =
      this.recordsSinceSnapshot >= this.policy.records || (this.recordsSinceSnapshot > 0 && now - this.lastSnapshotAt >= this.policy.intervalMs)
    // A full disk is alerted and the snapshot tried again at a later tick; the journal holds everything.
    if (due) await this.snapshot().catch(unlessDiskFull)
  }

  /** Resolves once every change so far is on disk. */
  durable(): Promise<void> {
    return this.writable().durable()
  }

  /**
   * Writes a snapshot atomically, then drops the journal segments it covers. The journal is
   * switched to a new segment first, so every record after the snapshot is in a kept file.
   */
  snapshot(): Promise<void> {
    this.snapshotting ??= this.writeSnapshotNow().finally(() => (this.snapshotting = undefined))
    return this.snapshotting
  }

  private async writeSnapshotNow(): Promise<void> {
    const journal = this.writable()
    const keepFrom = await journal.rotate()
    // No await between here and export(): the snapshot holds exactly records <= lastIndex.
    this.endBatch()
    this.db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ('journal_index', ?)`, [String(journal.lastIndex)])
    const bytes = this.db.export()
    const covered = this.recordsSinceSnapshot
    this.recordsSinceSnapshot = 0
    this.lastSnapshotAt = Date.now()
    try {
      await writeSnapshot(this.layout.snapshot, bytes)
    } catch (error) {
      // The old snapshot and every journal segment are still there: nothing is lost, the next one is due at once.
      this.recordsSinceSnapshot += covered
      const full = asDiskFull(error, this.layout.snapshot, 'snapshot write')
      if (full) this.storage.fail('snapshot', full)
      throw error
    }
    this.storage.ok('snapshot')
    journal.removeSegmentsBefore(keepFrom)
  }

  workflow(): {revision: number; workflow: Workflow} {
    const {revision} = this.current
    if (this.cachedWorkflow?.revision !== revision) this.cachedWorkflow = {revision, workflow: workflowRevision(this.db, revision)}
    return this.cachedWorkflow
  }

  sessionInfo(): SessionInfo {
    const session = this.current
    return {state: session.state, acceptingMovies: session.state !== 'closed' && session.inputClosedAt === null}
  }

  status(): ProjectStatus {
    this.endBatch() // so that the agents' seqs are in the table too
    return projectStatus(this.db, this.name, this.steps)
  }

  /** Calls listener whenever the session changes (scheduled, input closed, closed). */
  onSessionChange(listener: SessionListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Flushes, snapshots and releases the project. */
  close(): Promise<void> {
    this.closing ??= this.closeNow()
    return this.closing
  }

  private async closeNow(): Promise<void> {
    try {
      if (this.journal) {
        // On a full disk the journal alone holds the project; what it could not write was never acknowledged.
        await this.snapshot().catch(unlessDiskFull)
        const unwritten = await this.journal.close()
        if (unwritten > 0) this.options.onStorage?.(`closed with ${unwritten} records unwritten (never acknowledged: the agents send their events again)`)
      }
    } finally {
      this.endBatch()
      this.closed = true
      this.applier.free()
      this.db.close()
      this.releaseLock?.()
    }
  }

  private get policy(): SnapshotPolicy {
    return this.options.snapshotPolicy ?? DEFAULT_SNAPSHOT_POLICY
  }

  private writable(): Journal {
    if (!this.journal || this.closed) throw new ProjectError(this.name, this.closed ? 'the project is closed' : 'the project is open read-only')
    return this.journal
  }

  /**
   * Changes applied in one turn of the event loop share one SQLite transaction (each record
   * still applies all-or-nothing inside it, by savepoint): far cheaper than one per record.
   */
  private beginBatch(): void {
    // A cap, because SQLite keeps a transaction's undo pages in (never returned) WebAssembly memory.
    if (this.batchSize >= MAX_BATCH_RECORDS) this.endBatch()
    this.batchSize++
    if (this.inBatch) return
    this.db.run('BEGIN')
    this.inBatch = true
    setImmediate(() => this.endBatch())
  }

  private endBatch(): void {
    this.batchSize = 0
    if (!this.inBatch || this.closed) return
    this.applier.saveAgentSeqs(this.unsavedSeqs)
    this.unsavedSeqs.clear()
    this.db.run('COMMIT')
    this.inBatch = false
  }

  private commit(entry: JournalEntry, messageText?: string): void {
    this.beginBatch()
    const record = this.writable().append(entry, messageText)
    this.applyOne(record)
    this.recordsSinceSnapshot++
    if (record.type === 'event') this.undurable.push({j: record.j, agentId: record.message.agentId, seq: record.message.seq})
  }

  private madeDurable(index: number): void {
    const queue = this.undurable
    while (this.undurableHead < queue.length && queue[this.undurableHead].j <= index) {
      const {agentId, seq} = queue[this.undurableHead++]
      this.durableSeqs.set(agentId, seq)
    }
    // Drop the consumed head now and then, so that a long stall's backlog is not shifted one by one.
    if (this.undurableHead > 1024 && this.undurableHead * 2 > queue.length) {
      this.undurable = queue.slice(this.undurableHead)
      this.undurableHead = 0
    }
  }


  private applyOne(record: JournalEntry & {j: number}): void {
    const problem = this.applier.apply(record)
    if (problem) this.options.onApplyProblem?.(problem, record)
    if (record.type === 'event') {
      this.seqs.set(record.message.agentId, record.message.seq)
      this.unsavedSeqs.set(record.message.agentId, {seq: record.message.seq, at: record.receivedAt})
    }
  }

  private session(action: 'schedule' | 'start' | 'closeInput' | 'close', at: number, reason?: string): void {
    this.commit({type: 'session', action, at, reason})
    this.current = currentSession(this.db)
    if (action !== 'start') {
      const info = this.sessionInfo()
      for (const listener of this.listeners) listener(info, this.workflow())
    }
  }

  private closeIfFinished(at: number): void {
    const session = this.current
    if (session.state === 'closed' || session.inputClosedAt === null) return
    if (movieCounts(this.db).inFlight === 0 && this.leases.idle()) this.session('close', at)
  }
}
