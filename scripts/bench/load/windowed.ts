// Sends whole movies through a simulated agent as fast as the controller acknowledges them,
// keeping at most `window` events unacknowledged, as an agent replaying its outbox does.
import type {AgentEvent} from '../../../core/protocol/index.js'
import type {LoadAgent} from './load-agent.js'

export interface TimedEvent {
  event: AgentEvent
  /** The agent's time for the event (ms since epoch); default now. */
  at?: number
}

/** Resolves once nextMovie() has run dry and the controller has acknowledged everything. */
export function sendWindowed(agent: LoadAgent, nextMovie: () => TimedEvent[] | undefined, window: number, onMovie?: () => void): Promise<void> {
  return new Promise((resolve) => {
    let finishing = false
    const pump = () => {
      if (finishing) return
      while (agent.appended - agent.outbox.ackedSeq < window) {
        const movie = nextMovie()
        if (!movie) {
          finishing = true
          agent.outbox.offAck(pump)
          return void agent.allAcked().then(resolve)
        }
        for (const {event, at} of movie) agent.append(event, at)
        onMovie?.()
      }
    }
    agent.outbox.onAck(pump)
    pump()
  })
}
