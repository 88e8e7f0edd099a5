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
  log: (level: 'info' | 'warn', line: string, fields?: Record<string, unknown>) => void
}

export class MovieOffers<M extends {id: string}> {
  private readonly waiting = new Map<string, M>()
  private heartbeat?: NodeJS.Timeout

  constructor(private readonly options: MovieOffersOptions<M>) {}

  /** Movies offered and not yet leased or gone. */
  get pending(): number {
    return this.waiting.size
  }

  /** A found movie: offered now if connected, else after the next welcome. */
  offer(movie: M): void {
    if (this.waiting.has(movie.id)) return
    this.waiting.set(movie.id, movie)
    this.options.send({type: 'offer', movies: [movie.id]})
  }

  /** After each welcome: slots and every waiting offer again, then heartbeats well within the lease. */
  connected(timing: LeaseTiming): void {
    this.beat()
    const ids = [...this.waiting.keys()]
    for (let i = 0; i < ids.length; i += OFFER_BATCH) this.options.send({type: 'offer', movies: ids.slice(i, i + OFFER_BATCH)})
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
    if (lease.revoked.length > 0) {
      this.options.log('warn', `${lease.revoked.length} movie(s) leased to this agent went to another agent while it was away; results it still sends count only where nobody else finished first`, {
        movies: lease.revoked.slice(0, 20),
      })
    }
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
  }

  private beat(): void {
    this.options.send({type: 'heartbeat', slots: this.options.slots})
  }
}
