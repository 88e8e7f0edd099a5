// The lease notices decided together (one socket read's messages), merged per agent so that each
// agent is told (and its grants journaled) once however many offers and results came in.
import type {LeaseNotice} from './lease-table.js'

type Kind = 'granted' | 'gone' | 'revoked'

export class LeaseNoticeBatch {
  /** Per agent, each movie's latest decision, in the order decided (a movie decided again moves to the end). */
  private readonly byAgent = new Map<string, Map<string, Kind>>()

  /** Adds what an agent is told; a movie already in the batch takes its newer decision (e.g. revoked, then granted again). */
  add(notice: LeaseNotice): void {
    let movies = this.byAgent.get(notice.agent)
    if (!movies) {
      movies = new Map()
      this.byAgent.set(notice.agent, movies)
    }
    const decide = (movie: string, kind: Kind) => (movies.delete(movie), movies.set(movie, kind))
    for (const movie of notice.granted) decide(movie, 'granted')
    for (const movie of notice.gone) decide(movie, 'gone')
    for (const movie of notice.revoked) decide(movie, 'revoked')
  }

  /** One notice per agent, in the order the agents were first decided for; the batch is empty after. */
  take(): LeaseNotice[] {
    const out: LeaseNotice[] = []
    for (const [agent, movies] of this.byAgent) {
      const notice: LeaseNotice = {agent, granted: [], gone: [], revoked: []}
      for (const [movie, kind] of movies) notice[kind].push(movie)
      out.push(notice)
    }
    this.byAgent.clear()
    return out
  }
}
