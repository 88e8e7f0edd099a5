// A project's movie leases: the lease table (lease-table.ts) fed with what its agents say, each
// grant journaled and on disk before any agent hears of it, so a controller restarted at any
// moment never hands one movie to two agents. What is decided while handling one batch of
// messages (one socket read) is journaled and told together: one record and one notice per agent.
import type {AgentEvent} from '../../core/protocol/index.js'
import type {LeaseGrant, LeaseLedger} from './leases.js'
import {LeaseNoticeBatch} from './lease-notices.js'
import {leaseStatus, type LeaseStatus} from './lease-status.js'
import {LeaseTable, type LeaseNotice, type LeaseTiming} from './lease-table.js'

export const DEFAULT_LEASE_TIMING: LeaseTiming = {durationMs: 60_000, graceMs: 20_000}

export type LeaseListener = (notice: LeaseNotice) => void

export class ProjectLeases {
  private readonly table: LeaseTable
  private readonly listeners = new Map<LeaseListener, (error: Error) => void>()
  /** Notices go out in the order they were decided, each after the grants before it are durable. */
  private delivery: Promise<void> = Promise.resolve()
  /** Decided in this task, journaled and told at its end. */
  private readonly batch = new LeaseNoticeBatch()
  private batchAt = 0
  private batchScheduled = false

  constructor(
    private readonly ledger: LeaseLedger,
    readonly timing: LeaseTiming,
    /** Journals a grant (Project.commit). */
    private readonly commit: (grant: LeaseGrant) => void,
    /** Resolves once everything committed is on disk. */
    private readonly durable: () => Promise<void>,
    now = Date.now(),
  ) {
    this.table = new LeaseTable(timing, ledger.unfinished(), now)
  }

  /**
   * Calls listener with what each agent is to be told (grants already durable); onError when the
   * journal could not be written (nothing is told then, nothing more may be promised).
   */
  onNotice(listener: LeaseListener, onError: (error: Error) => void): () => void {
    this.listeners.set(listener, onError)
    return () => this.listeners.delete(listener)
  }

  idle(): boolean {
    return this.table.idle()
  }

  holder(movie: string): string | undefined {
    return this.table.holder(movie)
  }

  heldBy(agent: string): string[] {
    return this.table.heldBy(agent)
  }

  /** Per shared agent: held leases, slots, connection, and what its leases came to (`controller status`); undefined when none shares. */
  status(): LeaseStatus | undefined {
    return leaseStatus(this.table.agentViews(), this.table.waitingCount(), this.ledger.counts())
  }

  connected(agent: string, now = Date.now()): void {
    this.deliver(this.table.connected(agent, now), now)
  }

  disconnected(agent: string, now = Date.now()): void {
    this.deliver(this.table.disconnected(agent, now), now)
  }

  heartbeat(agent: string, slots: number, now = Date.now()): void {
    this.deliver(this.table.heartbeat(agent, slots, now), now)
  }

  /**
   * Finished movies are answered `gone` at once; the rest wait for a lease. A movie the table
   * tracks is unfinished (finishing ends its tracking), so only untracked ones are looked up.
   */
  offered(agent: string, movies: string[], now = Date.now()): void {
    const settled = movies.filter((m) => !this.table.tracks(m) && this.ledger.settled(m))
    const done = new Set(settled)
    const open = settled.length === 0 ? movies : movies.filter((m) => !done.has(m))
    this.deliver(this.table.offered(agent, open, now), now)
    if (settled.length > 0) this.deliver([{agent, granted: [], gone: settled, revoked: []}], now)
  }

  /** After an applied event: its agent was heard from; a leased movie that is now done or failed frees its slot. */
  afterEvent(agent: string, event: AgentEvent, now = Date.now()): void {
    this.deliver(this.table.seen(agent, now), now)
    if (event.kind !== 'stepFinished' && event.kind !== 'stepFailed') return
    if (this.table.tracks(event.movie) && this.ledger.finished(event.movie)) this.deliver(this.table.finished(event.movie), now)
  }

  tick(now = Date.now()): void {
    this.deliver(this.table.tick(now), now)
  }

  private deliver(notices: LeaseNotice[], now: number): void {
    if (notices.length === 0) return
    for (const notice of notices) this.batch.add(notice)
    this.batchAt = Math.max(this.batchAt, now)
    if (this.batchScheduled) return
    this.batchScheduled = true
    // A microtask, not the next turn: the grants then join the journal write of the events that
    // freed their slots (the journal writes at the end of the turn), one disk flush sooner.
    queueMicrotask(() => this.flush())
  }

  /** Journals the batch's grants, one record per agent, and tells every agent once they are on disk. */
  private flush(): void {
    this.batchScheduled = false
    const notices = this.batch.take()
    let written: Promise<void>
    try {
      written = this.journal(notices) ? this.durable() : Promise.resolve()
    } catch (error) {
      written = Promise.reject(error as Error)
    }
    this.delivery = this.delivery.then(() =>
      written.then(
        () => {
          for (const notice of notices) for (const listener of this.listeners.keys()) listener(notice)
        },
        (error: Error) => {
          for (const onError of this.listeners.values()) onError(error)
        },
      ),
    )
  }

  /** Commits the grants the ledger does not hold yet (a repeated offer's grant needs no new record); whether any was. */
  private journal(notices: LeaseNotice[]): boolean {
    let committed = false
    for (const {agent, granted} of notices) {
      const movies = granted.filter((movie) => this.ledger.holder(movie) !== agent)
      if (movies.length === 0) continue
      this.commit({type: 'lease', at: this.batchAt, agentId: agent, movies})
      committed = true
    }
    return committed
  }
}
