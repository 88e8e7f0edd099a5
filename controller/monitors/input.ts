// The rows monitors look at, newest first (micrographs in acquisition order: the last N acquired).
// Everything a monitor decides is a function of these (and the clock), so evaluating twice on the
// same project gives the same findings.
import type {SessionState} from '../../core/protocol/index.js'
import type {GainResidual} from '../../core/results/index.js'

export interface CtfRow {
  movie: string
  at: number
  defocusU: number
  defocusV: number
  astigmatism: number
  resolution: number
}

export interface MotionRow {
  movie: string
  at: number
  totalMotion: number
  earlyMotion: number
  warnings: string[]
  /** Residual gain statistics of the movie, when motion correction measured them. */
  gainResidual?: GainResidual
}

export type {GainResidual} from '../../core/results/index.js'

export interface PickRow {
  movie: string
  at: number
  count: number
}

export interface MovieOutcome {
  movie: string
  at: number
  failed: boolean
  error: string | null
}

export interface SampleRow {
  agentId: string
  host: string
  at: number
  cpuPercent: number
  load1: number
  memoryUsedBytes: number
  memoryTotalBytes: number
  swapUsedBytes: number
  disks: {path: string; freeBytes: number; totalBytes: number}[]
  gpus: {index: number; name: string; utilizationPercent: number; memoryUsedBytes: number; memoryTotalBytes: number; temperatureC: number}[]
  pipelineRunning: number
}

export interface AgentRow {
  agentId: string
  host: string | null
  lastSeenAt: number
  /** Present while the agent's latest verdict on the workflow is a refusal (it processes nothing). */
  refusal?: WorkflowRefusal
}

export interface WorkflowRefusal {
  revision: number
  /** The step it cannot run, when the refusal is about one step. */
  step: string | null
  reason: string
  at: number
}

export interface MonitorInput {
  now: number
  session: {state: SessionState; startedAt: number | null; inputClosedAt: number | null}
  /** The workflow's inputFolder: disks under it hold movies, the others outputs. */
  inputFolder: string
  ctf: CtfRow[]
  motion: MotionRow[]
  picks: PickRow[]
  /** Movies that finished or failed for good, newest first. */
  outcomes: MovieOutcome[]
  lastMovieFoundAt: number | null
  moviesFoundLastHour: number
  /** System samples of the last hour, newest first. */
  samples: SampleRow[]
  agents: AgentRow[]
}

/** Streaming: movies are expected (time-based monitors apply). */
export const isAcquiring = (input: MonitorInput) => input.session.state === 'running' && input.session.inputClosedAt === null
