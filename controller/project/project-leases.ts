// A project's movie leases: the lease table (lease-table.ts) fed with what its agents say, each
// grant journaled and on disk before any agent hears of it, so a controller restarted at any
// moment never hands one movie to two agents.
import type {AgentEvent} from '../../core/protocol/index.js'
import type {LeaseGrant, LeaseLedger} from './leases.js'
import {LeaseTable, type LeaseNotice, type LeaseTiming} from './lease-table.js'

export const DEFAULT_LEASE_TIMING: LeaseTiming = {durationMs: 60_000, graceMs: 20_000}

export type LeaseListener = (notice: LeaseNotice) => void

export class ProjectLeases {
  private readonly table: LeaseTable
  private readonly listeners = new Map<LeaseListener, (error: Error) => void>()
  /** Notices go out in the order they were decided, each after the grants before it are durable. */
  private delivery: Promise<void> = Promise.resolve()

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

  connected(agent: string, now = Date.now()): void {
    this.deliver(this.table.connected(agent, now), now)
  }

  disconnected(agent: string, now = Date.now()): void {
    this.deliver(this.table.disconnected(agent, now), now)
  }

  heartbeat(agent: string, slots: number, now = Date.now()): void {
    this.deliver(this.table.heartbeat(agent, slots, now), now)
  }

  /** Finished movies are answered `gone` at once; the rest wait for a lease. */
  offered(agent: string, movies: string[], now = Date.now()): void {
    const settled = movies.filter((m) => this.ledger.settled(m))
    const done = new Set(settled)
    const open = settled.length === 0 ? movies : movies.filter((m) => !done.has(m))
    const notices = this.table.offered(agent, open, now)
    if (settled.length > 0) {
      const own = notices.find((n) => n.agent === agent)
      if (own) own.gone.push(...settled)
      else notices.push({agent, granted: [], gone: settled, revoked: []})
    }
    this.deliver(notices, now)
  }

  /** After an applied event: its agent was heard from; a leased movie that is now done or failed frees its slot. */
  afterEvent(agent: string, event: AgentEvent, now = Date.now()): void {
    this.table.seen(agent, now)
    if (event.kind !== 'stepFinished' && event.kind !== 'stepFailed') return
    if (this.table.tracks(event.movie) && this.ledger.finished(event.movie)) this.deliver(this.table.finished(event.movie), now)
  }

  tick(now = Date.now()): void {
    this.deliver(this.table.tick(now), now)
  }

  private deliver(notices: LeaseNotice[], now: number): void {
    if (notices.length === 0) return
    for (const notice of notices) {
      // A grant the agent already holds in the ledger (a repeated offer) needs no new record.
      for (const movie of notice.granted) if (this.ledger.holder(movie) !== notice.agent) this.commit({type: 'lease', at: now, movie, agentId: notice.agent})
    }
    const written = this.durable()
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
}
