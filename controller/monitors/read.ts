// Reads the monitors' input and the open alerts from the project database.
import type {Database, SqlValue} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {currentSession, lastMovieFoundAt, rows} from '../project/queries.js'
import {rowsNeeded} from './evaluate.js'
import type {Severity} from './finding.js'
import type {AgentRow, GainResidual, MonitorInput, SampleRow, WorkflowRefusal} from './input.js'
import type {OpenAlert} from './transitions.js'

const HOUR = 3_600_000
const num = (v: SqlValue) => Number(v)
const jsonArray = <T>(v: SqlValue): T[] => (v === null ? [] : (JSON.parse(String(v)) as T[]))

export function readMonitorInput(db: Database, workflow: Workflow, now: number): MonitorInput {
  const n = rowsNeeded(workflow.monitors)
  const session = currentSession(db)
  return {
    now,
    session: {state: session.state, startedAt: session.startedAt, inputClosedAt: session.inputClosedAt},
    inputFolder: workflow.acquisition.inputFolder,
    ctf: rows(
      db,
      `SELECT m.movie, c.finished_at, c.defocus_u, c.defocus_v, c.astigmatism, c.resolution
       FROM ctf c JOIN movies m ON m.id = c.movie_id ORDER BY c.movie_id DESC, c.version DESC LIMIT ?`,
      [n],
    ).map((r) => ({
      movie: String(r.movie), at: num(r.finished_at), defocusU: num(r.defocus_u), defocusV: num(r.defocus_v),
      astigmatism: num(r.astigmatism), resolution: num(r.resolution),
    })),
    motion: rows(
      db,
      `SELECT m.movie, g.finished_at, g.total_motion, g.early_motion, g.warnings, g.gain_residual
       FROM micrographs g JOIN movies m ON m.id = g.movie_id ORDER BY g.movie_id DESC, g.version DESC LIMIT ?`,
      [n],
    ).map((r) => ({
      movie: String(r.movie), at: num(r.finished_at), totalMotion: num(r.total_motion), earlyMotion: num(r.early_motion),
      warnings: jsonArray<string>(r.warnings),
      ...(r.gain_residual === null ? {} : {gainResidual: JSON.parse(String(r.gain_residual)) as GainResidual}),
    })),
    picks: rows(db, `SELECT m.movie, p.finished_at, p.count FROM particles p JOIN movies m ON m.id = p.movie_id ORDER BY p.movie_id DESC, p.version DESC LIMIT ?`, [n])
      .map((r) => ({movie: String(r.movie), at: num(r.finished_at), count: num(r.count)})),
    outcomes: rows(db, `SELECT movie, updated_at, state, error FROM movies WHERE state IN ('done', 'failed') ORDER BY id DESC LIMIT ?`, [n])
      .map((r) => ({movie: String(r.movie), at: num(r.updated_at), failed: r.state === 'failed', error: r.error === null ? null : String(r.error)})),
    lastMovieFoundAt: lastMovieFoundAt(db),
    moviesFoundLastHour: num(rows(db, 'SELECT count(*) AS n FROM movies WHERE found_at > ?', [now - HOUR])[0].n),
    samples: rows(db, 'SELECT * FROM system_samples WHERE at > ? ORDER BY at DESC', [now - HOUR]).map(sampleRow),
    agents: readAgents(db),
  }
}

function readAgents(db: Database): AgentRow[] {
  const refusals = new Map(readRefusals(db))
  return rows(db, 'SELECT agent_id, host, last_seen_at FROM agents').map((r) => {
    const refusal = refusals.get(String(r.agent_id))
    return {
      agentId: String(r.agent_id), host: r.host === null ? null : String(r.host), lastSeenAt: num(r.last_seen_at),
      ...(refusal ? {refusal} : {}),
    }
  })
}

/** Agents whose latest workflowStatus is a refusal (the table exists once one agent sent one). */
function readRefusals(db: Database): [string, WorkflowRefusal][] {
  if (rows(db, "SELECT 1 AS t FROM sqlite_master WHERE type = 'table' AND name = 'agent_workflows'").length === 0) return []
  return rows(db, 'SELECT agent_id, revision, step, reason, at FROM agent_workflows WHERE accepted = 0').map((r) => [
    String(r.agent_id),
    {revision: num(r.revision), step: r.step === null ? null : String(r.step), reason: r.reason === null ? 'no reason given' : String(r.reason), at: num(r.at)},
  ])
}

function sampleRow(r: Record<string, SqlValue>): SampleRow {
  return {
    agentId: String(r.agent_id), host: String(r.host), at: num(r.at), cpuPercent: num(r.cpu_percent), load1: num(r.load1),
    memoryUsedBytes: num(r.memory_used_bytes), memoryTotalBytes: num(r.memory_total_bytes), swapUsedBytes: num(r.swap_used_bytes),
    disks: jsonArray(r.disks), gpus: jsonArray(r.gpus), pipelineRunning: num(r.pipeline_running),
  }
}

export function readOpenAlerts(db: Database): OpenAlert[] {
  return rows(db, 'SELECT id, monitor, severity, message, at FROM alerts WHERE resolved_at IS NULL ORDER BY id').map((r) => ({
    id: num(r.id), key: String(r.monitor), severity: r.severity as Severity, message: String(r.message), at: num(r.at),
  }))
}
