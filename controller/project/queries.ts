// Read-only questions about a project, for `controller status` and the server.
import type {Database, SqlValue} from 'sql.js'
import type {SessionState} from '../../core/protocol/index.js'
import type {StepName, Workflow} from '../../core/workflow/index.js'
import type {RerunRequest} from './records.js'

export interface StepCounts {
  done: number
  failed: number
  running: number
}

export interface AlertView {
  id: number
  at: string
  monitor: string
  severity: 'info' | 'warning' | 'critical'
  message: string
  movie: string | null
}

export interface ProjectStatus {
  project: string
  state: SessionState
  /** false after stop-streaming (or the idle timeout): no new movies are taken. */
  acceptingMovies: boolean
  movies: {found: number; processed: number; failed: number; inFlight: number}
  steps: Partial<Record<StepName, StepCounts>>
  /** When the newest movie was found (ISO 8601), null before the first. */
  lastMovieAt: string | null
  /** Unresolved alerts, newest first (at most 100). */
  alerts: AlertView[]
  agents: {agentId: string; host: string | null; lastSeq: number; lastSeenAt: string}[]
  outputSets: {name: string; state: 'open' | 'closed'}[]
}

export interface SessionRow {
  state: SessionState
  revision: number
  inputClosedAt: number | null
  startedAt: number | null
  scheduledAt: number | null
}

export function rows(db: Database, sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] {
  const statement = db.prepare(sql)
  try {
    statement.bind(params)
    const out: Record<string, SqlValue>[] = []
    while (statement.step()) out.push(statement.getAsObject())
    return out
  } finally {
    statement.free()
  }
}

function scalar(db: Database, sql: string, params: SqlValue[] = []): SqlValue {
  return db.exec(sql, params)[0]?.values[0]?.[0] ?? null
}

const iso = (ms: SqlValue) => (ms === null ? null : new Date(Number(ms)).toISOString())

export function metaValue(db: Database, key: string): string | undefined {
  const value = scalar(db, 'SELECT value FROM meta WHERE key = ?', [key])
  return value === null ? undefined : String(value)
}

/** Meta key of the folders the report may read agent files from (JSON array of absolute paths). */
export const AGENT_OUTPUT_FOLDERS = 'agent_output_folders'

/** The agent output folders configured for the project (create-project --agent-output); none before any was. */
export function agentOutputFolders(db: Database): string[] {
  const text = metaValue(db, AGENT_OUTPUT_FOLDERS)
  return text === undefined ? [] : (JSON.parse(text) as string[])
}

export function currentSession(db: Database): SessionRow {
  const [row] = rows(db, 'SELECT state, workflow_revision, input_closed_at, started_at, scheduled_at FROM sessions ORDER BY id DESC LIMIT 1')
  return {
    state: row.state as SessionState,
    revision: Number(row.workflow_revision),
    inputClosedAt: row.input_closed_at === null ? null : Number(row.input_closed_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    scheduledAt: row.scheduled_at === null ? null : Number(row.scheduled_at),
  }
}

export function workflowRevision(db: Database, revision: number): Workflow {
  return JSON.parse(String(scalar(db, 'SELECT workflow FROM workflows WHERE revision = ?', [revision]))) as Workflow
}

export function movieCounts(db: Database): ProjectStatus['movies'] {
  const counts: Record<string, number> = Object.fromEntries(
    rows(db, 'SELECT state, count(*) AS n FROM movies GROUP BY state').map((r) => [String(r.state), Number(r.n)]),
  )
  const found = Object.values(counts).reduce((a, b) => a + b, 0)
  const processed = counts.done ?? 0
  const failed = counts.failed ?? 0
  return {found, processed, failed, inFlight: found - processed - failed}
}

export function lastMovieFoundAt(db: Database): number | null {
  const value = scalar(db, 'SELECT max(found_at) FROM movies')
  return value === null ? null : Number(value)
}

export function projectStatus(db: Database, name: string, steps: StepName[]): ProjectStatus {
  const session = currentSession(db)
  const stepCounts: Partial<Record<StepName, StepCounts>> = Object.fromEntries(steps.map((s) => [s, {done: 0, failed: 0, running: 0}]))
  // The current version of each movie's step only: a rerun's earlier versions are history, not counts.
  const current = `SELECT step, state, count(*) AS n FROM step_runs r
    WHERE version = (SELECT max(version) FROM step_runs t WHERE t.movie_id = r.movie_id AND t.step = r.step) GROUP BY step, state`
  for (const r of rows(db, current)) {
    const counts = stepCounts[r.step as StepName]
    if (!counts) continue
    const key = r.state === 'retrying' ? 'running' : (r.state as keyof StepCounts)
    counts[key] += Number(r.n)
  }
  return {
    project: name,
    state: session.state,
    acceptingMovies: session.state !== 'closed' && session.inputClosedAt === null,
    movies: movieCounts(db),
    steps: stepCounts,
    lastMovieAt: iso(scalar(db, 'SELECT max(found_at) FROM movies')),
    alerts: rows(
      db,
      'SELECT id, at, monitor, severity, message, movie FROM alerts WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 100',
    ).map((r) => ({
      id: Number(r.id),
      at: iso(r.at)!,
      monitor: String(r.monitor),
      severity: r.severity as AlertView['severity'],
      message: String(r.message),
      movie: r.movie === null ? null : String(r.movie),
    })),
    agents: rows(db, 'SELECT agent_id, host, last_seq, last_seen_at FROM agents ORDER BY agent_id').map((r) => ({
      agentId: String(r.agent_id),
      host: r.host === null ? null : String(r.host),
      lastSeq: Number(r.last_seq),
      lastSeenAt: iso(r.last_seen_at)!,
    })),
    outputSets: rows(db, 'SELECT name, state FROM output_sets ORDER BY name').map((r) => ({
      name: String(r.name),
      state: r.state as 'open' | 'closed',
    })),
  }
}

/** Highest applied seq per agent (the exactly-once state). */
export function agentSeqs(db: Database): Map<string, number> {
  return new Map(rows(db, 'SELECT agent_id, last_seq FROM agents').map((r) => [String(r.agent_id), Number(r.last_seq)]))
}

/** Whether a table made on first use (reruns, checksums, jobs, ...) exists in this project yet. */
export function tableExists(db: Database, name: string): boolean {
  return Number(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [name])) > 0
}

/** Every rerun request, oldest first (none in a project that never had one: the table is made on first use). */
export function rerunRequests(db: Database): RerunRequest[] {
  if (!tableExists(db, 'reruns')) return []
  return rows(db, 'SELECT id, revision, steps, settings, movies FROM reruns ORDER BY id').map((r) => ({
    id: Number(r.id),
    revision: Number(r.revision),
    workflow: workflowRevision(db, Number(r.revision)),
    steps: JSON.parse(String(r.steps)) as StepName[],
    settings: JSON.parse(String(r.settings)) as string[],
    movies: JSON.parse(String(r.movies)) as string[],
  }))
}
