// A shared agent's side of movie leases (`agent start --shared`): movies it finds are offered to
// the controller and processed only once leased to it, so agents reading one share process each
// movie once. Offers live in memory: after a restart the watcher finds the unleased ones again.
import type {HeartbeatMessage, LeaseMessage, LeaseTiming, OfferMessage} from '../../core/protocol/index.js'

/** Offers per message (the protocol allows 10,000). */
const OFFER_BATCH = 1000

export interface MovieOffersOptions<M> {
  /** Movies this agent takes at once. */
  slots: number
  /** Sends a message to the controller when connected (ControllerLink.sendControl); false when not. */
  send: (message: OfferMessage | HeartbeatMessage) => boolean
  /** A leased movie, to process now. */
  take: (movie: M) => void
  /**
   * Movies taken earlier that went to another agent (this agent's lease expired while it was
   * away or silent): drop those not started yet; returns the ids dropped. Absent: none can be.
   */
  revoke?: (ids: string[]) => string[]
  log: (level: 'info' | 'warn', line: string, fields?: Record<string, unknown>) => void
}

export class MovieOffers<M extends {id: string}> {
  private readonly waiting = new Map<string, M>()
  /** Found since the last offer message went out: offered together at the end of this turn. */
  private unsent: string[] = []
  private sendScheduled = false
  private heartbeat?: NodeJS.Timeout

  constructor(private readonly options: MovieOffersOptions<M>) {}

  /** Movies offered and not yet leased or gone. */
  get pending(): number {
    return this.waiting.size
  }

  /** A found movie: offered at the end of this turn with the others found in it (after the next welcome if not connected). */
  offer(movie: M): void {
    if (this.waiting.has(movie.id)) return
    this.waiting.set(movie.id, movie)
    this.unsent.push(movie.id)
    if (this.sendScheduled) return
    this.sendScheduled = true
    setImmediate(() => this.sendUnsent())
  }

  /** After each welcome: slots and every waiting offer again, then heartbeats well within the lease. */
  connected(timing: LeaseTiming): void {
    this.beat()
    this.unsent = []
    this.sendOffers([...this.waiting.keys()])
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, Math.floor(timing.durationMs / 3)))
    this.heartbeat.unref()
  }

  received(lease: LeaseMessage): void {
    for (const id of lease.gone) this.waiting.delete(id)
    for (const id of lease.granted) {
      const movie = this.waiting.get(id)
      // A grant repeated for a movie already taken (or one this agent never offered) needs nothing.
      if (!movie) continue
      this.waiting.delete(id)
      this.options.take(movie)
    }
    if (lease.revoked.length > 0) this.revoked(lease.revoked)
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
  }

  private revoked(ids: string[]): void {
    // A grant lost with its connection was never taken: the movie is simply another agent's now.
    const taken = ids.filter((id) => !this.waiting.delete(id))
    const dropped = new Set(taken.length > 0 ? (this.options.revoke?.(taken) ?? []) : [])
    const kept = taken.filter((id) => !dropped.has(id))
    if (dropped.size > 0) {
      this.options.log('info', `${dropped.size} queued movie(s) leased to this agent went to another agent while it was away; dropped unstarted`, {movies: [...dropped].slice(0, 20)})
    }
    if (kept.length > 0) {
      this.options.log('warn', `${kept.length} movie(s) this agent had started went to another agent while it was away; results it still sends count only where nobody else finished first`, {
        movies: kept.slice(0, 20),
      })
    }
  }

  private sendUnsent(): void {
    this.sendScheduled = false
    // Some may have been leased or gone meanwhile (a welcome re-offers all that still wait).
    const ids = this.unsent.filter((id) => this.waiting.has(id))
    this.unsent = []
    this.sendOffers(ids)
  }

  private sendOffers(ids: string[]): void {
    for (let i = 0; i < ids.length; i += OFFER_BATCH) this.options.send({type: 'offer', movies: ids.slice(i, i + OFFER_BATCH)})
  }

  private beat(): void {
    this.options.send({type: 'heartbeat', slots: this.options.slots})
  }
}
