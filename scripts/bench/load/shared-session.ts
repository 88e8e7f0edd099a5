// Agents sharing one session (`agent start --shared`): each sees every movie appearing on the
// share and offers it through the agent's own MovieOffers (agent/link/movie-offers.ts); the
// controller leases each movie to one agent, which then sends that movie's events.
import {MovieOffers} from '../../../agent/link/movie-offers.js'
import {sampleMovieEvents} from '../../../core/protocol/samples.js'
import type {AgentEvent} from '../../../core/protocol/index.js'
import type {LoadAgent} from './load-agent.js'
import {SAMPLE_EVERY, systemSample} from './synthetic-events.js'

/** The movies of the share, named as EPU does, appearing one after another. */
export class Share {
  private count = 0
  get appeared(): number {
    return this.count
  }

  next(): string {
    const i = this.count++
    return `GridSquare_${Math.floor(i / 500)}/FoilHole_${i}_Data_1.tiff`
  }
}

/** One shared agent's work: the events of the movies leased to it, in order, with system samples among them. */
export class LeasedWork {
  readonly offers: MovieOffers<{id: string}>
  private readonly queue: AgentEvent[] = []
  private produced = 0
  private head = 0

  constructor(
    agentId: string,
    agent: () => LoadAgent,
    slots: number,
    /** Which agent took each movie: a second taker is a lease given twice. */
    takenBy: Map<string, string[]>,
  ) {
    this.offers = new MovieOffers({
      slots,
      send: (message) => agent().sendControl(message),
      take: ({id}) => {
        takenBy.set(id, [...(takenBy.get(id) ?? []), agentId])
        this.queue.push(...sampleMovieEvents(id))
      },
      log: () => {},
    })
  }

  /** The next event to send, or undefined while no leased movie is waiting. */
  next(): AgentEvent | undefined {
    if (this.head === this.queue.length) return undefined
    if (++this.produced % SAMPLE_EVERY === 0) return systemSample()
    const event = this.queue[this.head++]
    if (this.head > 4096) (this.queue.splice(0, this.head), (this.head = 0))
    return event
  }
}
