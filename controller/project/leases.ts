// Movie leases in the project database: who holds each movie shared agents process, and which
// agents' events about a movie are applied. Both are functions of the database and the journal
// records before them, so replaying the journal decides exactly as the live controller did.
import type {Database} from 'sql.js'
import type {AgentEvent} from '../../core/protocol/index.js'
import type {HeldLease} from './lease-table.js'

/** One row per movie ever leased; `grants` counts how many times (more than 1: re-leased after an expiry). */
export const LEASES_SQL = `CREATE TABLE IF NOT EXISTS leases (
  movie TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  grants INTEGER NOT NULL
);`

/** The journal record of a grant (records.ts). */
export interface LeaseGrant {
  type: 'lease'
  at: number
  movie: string
  agentId: string
}

export class LeaseLedger {
  /** movie -> holder, for every movie ever leased (the table, in memory: read per event). */
  private readonly holders = new Map<string, string>()

  constructor(private readonly db: Database) {
    const exists = db.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'`).length > 0
    if (!exists) return
    for (const [movie, agent] of db.exec('SELECT movie, agent_id FROM leases')[0]?.values ?? []) this.holders.set(String(movie), String(agent))
  }

  apply(grant: LeaseGrant): void {
    this.db.run(LEASES_SQL)
    this.db.run(
      `INSERT INTO leases (movie, agent_id, granted_at, grants) VALUES (?, ?, ?, 1)
        ON CONFLICT (movie) DO UPDATE SET agent_id = excluded.agent_id, granted_at = excluded.granted_at, grants = leases.grants + 1`,
      [grant.movie, grant.agentId, grant.at],
    )
    this.holders.set(grant.movie, grant.agentId)
  }

  holder(movie: string): string | undefined {
    return this.holders.get(movie)
  }

  /**
   * Whether an agent's event changes the project. Movies never leased (a single agent, as before
   * leases) and the holder's own events always do. Another agent's (its lease expired, or it was
   * never leased the movie) only with a step result nobody has finished yet: a late result is
   * kept once, never as a second row, and never over the holder's.
   */
  admits(agentId: string, event: AgentEvent): boolean {
    if (!('movie' in event)) return true
    const holder = this.holders.get(event.movie)
    if (holder === undefined || holder === agentId) return true
    if (event.kind !== 'stepFinished') return false
    const done = this.db.exec(
      `SELECT 1 FROM step_runs r JOIN movies m ON m.id = r.movie_id WHERE m.movie = ? AND r.step = ? AND r.version = ? AND r.state = 'done'`,
      [event.movie, event.step, event.version],
    )
    return done.length === 0
  }

  /** Leases of movies not yet done or failed: the table a restarted controller starts from. */
  unfinished(): HeldLease[] {
    if (this.holders.size === 0) return []
    const rows = this.db.exec(
      `SELECT l.movie, l.agent_id FROM leases l LEFT JOIN movies m ON m.movie = l.movie
        WHERE m.state IS NULL OR m.state NOT IN ('done', 'failed') ORDER BY l.granted_at`,
    )
    return (rows[0]?.values ?? []).map(([movie, agent]) => ({movie: String(movie), agent: String(agent)}))
  }

  /**
   * An offered movie no agent is to be leased: done or failed, or found by an agent that takes
   * every movie it sees (no lease) and so is processing it.
   */
  settled(movie: string): boolean {
    const state = this.movieState(movie)
    if (state === undefined) return false
    return state === 'done' || state === 'failed' || !this.holders.has(movie)
  }

  /** Whether a movie is done or failed. */
  finished(movie: string): boolean {
    const state = this.movieState(movie)
    return state === 'done' || state === 'failed'
  }

  private movieState(movie: string): string | undefined {
    const value = this.db.exec('SELECT state FROM movies WHERE movie = ?', [movie])[0]?.values[0]?.[0]
    return value === undefined || value === null ? undefined : String(value)
  }
}
