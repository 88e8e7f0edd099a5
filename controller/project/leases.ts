// Movie leases in the project database: who holds each movie shared agents process, and which
// agents' events about a movie are applied. Both are functions of the database and the journal
// records before them, so replaying the journal decides exactly as the live controller did.
import type {Database, Statement} from 'sql.js'
import type {AgentEvent} from '../../core/protocol/index.js'
import type {HeldLease} from './lease-table.js'

/**
 * One row per movie ever leased; `grants` counts how many times (more than 1: re-leased after an
 * expiry). Per agent: movies granted to it, its leases that expired and went to another agent,
 * and movies it was given after another agent's lease on them expired.
 */
export const LEASES_SQL = `CREATE TABLE IF NOT EXISTS leases (
  movie TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  grants INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS lease_agents (
  agent_id TEXT PRIMARY KEY,
  granted INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0,
  re_leased INTEGER NOT NULL DEFAULT 0
);`

/** The journal record of a grant (records.ts): the movies leased together to one agent. */
export type LeaseGrant = {type: 'lease'; at: number; agentId: string; movies: string[]} | SingleLeaseGrant

/** The grant record of journals written before grants were batched: one movie each. */
interface SingleLeaseGrant {
  type: 'lease'
  at: number
  agentId: string
  movie: string
}

/** Per agent, what its leases came to (`controller status`). */
export interface LeaseCounts {
  agentId: string
  granted: number
  expired: number
  reLeased: number
}

const UPSERT_LEASE = `INSERT INTO leases (movie, agent_id, granted_at, grants) VALUES (?, ?, ?, 1)
  ON CONFLICT (movie) DO UPDATE SET agent_id = excluded.agent_id, granted_at = excluded.granted_at, grants = leases.grants + 1`
const COUNT_AGENT = `INSERT INTO lease_agents (agent_id, granted, expired, re_leased) VALUES (?, ?, ?, ?)
  ON CONFLICT (agent_id) DO UPDATE SET granted = granted + excluded.granted, expired = expired + excluded.expired,
    re_leased = re_leased + excluded.re_leased`
const MOVIE_STATE = 'SELECT state FROM movies WHERE movie = ?'

export class LeaseLedger {
  /** movie -> holder, for every movie ever leased (the table, in memory: read per event). */
  private readonly holders = new Map<string, string>()
  private tablesExist: boolean
  /** Prepared once: offers and finished steps ask per movie (sql.js frees them when the database closes). */
  private statements: {upsertLease: Statement; countAgent: Statement} | undefined
  private movieStateQuery: Statement | undefined

  constructor(private readonly db: Database) {
    this.tablesExist = db.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'`).length > 0
    if (!this.tablesExist) return
    // Projects leased before per-agent counts were kept get the table now (counts from here on).
    db.run(LEASES_SQL)
    for (const [movie, agent] of db.exec('SELECT movie, agent_id FROM leases')[0]?.values ?? []) this.holders.set(String(movie), String(agent))
  }

  /** Stores the grants of one record: each movie's holder, and what they mean for each agent's counts. */
  apply(grant: LeaseGrant): void {
    const {upsertLease, countAgent} = this.prepared()
    const movies = 'movies' in grant ? grant.movies : [grant.movie]
    const expiredFrom = new Map<string, number>()
    for (const movie of movies) {
      const before = this.holders.get(movie)
      // A grant repeated to the holder is journaled only when the ledger did not have it already (project-leases.ts).
      if (before !== undefined && before !== grant.agentId) expiredFrom.set(before, (expiredFrom.get(before) ?? 0) + 1)
      upsertLease.run([movie, grant.agentId, grant.at])
      this.holders.set(movie, grant.agentId)
    }
    const reLeased = [...expiredFrom.values()].reduce((n, c) => n + c, 0)
    countAgent.run([grant.agentId, movies.length, 0, reLeased])
    for (const [agent, count] of expiredFrom) countAgent.run([agent, 0, count, 0])
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

  /** Per agent that was ever leased a movie, its counts, by agent id. */
  counts(): LeaseCounts[] {
    if (!this.tablesExist) return []
    const rows = this.db.exec('SELECT agent_id, granted, expired, re_leased FROM lease_agents ORDER BY agent_id')[0]?.values ?? []
    return rows.map(([agentId, granted, expired, reLeased]) => ({agentId: String(agentId), granted: Number(granted), expired: Number(expired), reLeased: Number(reLeased)}))
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

  private prepared(): {upsertLease: Statement; countAgent: Statement} {
    if (!this.tablesExist) {
      this.db.run(LEASES_SQL)
      this.tablesExist = true
    }
    this.statements ??= {upsertLease: this.db.prepare(UPSERT_LEASE), countAgent: this.db.prepare(COUNT_AGENT)}
    return this.statements
  }

  private movieState(movie: string): string | undefined {
    this.movieStateQuery ??= this.db.prepare(MOVIE_STATE)
    const query = this.movieStateQuery
    try {
      query.bind([movie])
      if (!query.step()) return undefined
      const value = query.get()[0]
      return value === undefined || value === null ? undefined : String(value)
    } finally {
      query.reset()
    }
  }
}
