// A movie's life on the agent: found -> (motion -> ctf -> picking -> preview) -> done, or
// failed(step, reason) once a step has used up its attempts.
import type {StepRun} from '../../core/protocol/events.js'
import type {StepName} from '../../core/workflow/types.js'
import type {MovieSidecar} from '../watch/sidecar.js'

export {STEP_NAMES, type StepName} from '../../core/workflow/types.js'

export interface StepFailure {
  step: StepName
  message: string
}

/** Provenance of a step run as recorded locally (the host is added on the wire). */
export type StepRunRecord = Omit<StepRun, 'host'>

export interface StepState {
  /** interrupted = was running when the agent stopped; it runs again. */
  status: 'running' | 'done' | 'failed' | 'interrupted'
  /** Runs started (numbering continues across restarts). */
  attempts: number
  /** Runs that failed: the step gives up after the configured number (an interrupted run is no failure). */
  failures: number
  /** Workflow revision the step ran under. */
  version: number
  program: string
  startedAt: number
  finishedAt?: number
  /** The step's result object (core/results), when done. */
  result?: unknown
  /** Last error, when failed (possibly to be retried). */
  error?: string
}

/** released: a shared agent's lease on it went to another agent before it started it (dropped unprocessed). */
export type MovieStatus = 'queued' | 'done' | 'failed' | 'released'

export interface MovieRecord {
  /** Path relative to the watched folder, "/"-separated: the movie's name everywhere. */
  id: string
  path: string
  /** Registration order: lower = older = processed first. */
  order: number
  foundAt: number
  size: number
  mtimeMs: number
  /** "sha256:<hex>" of the file when found (agent/watch/checksum.ts). */
  checksum?: string
  format: 'mrc' | 'tiff' | 'eer'
  /** A 2D micrograph (one section) skips motion correction. */
  kind: 'movie' | 'micrograph'
  sidecar?: MovieSidecar
  status: MovieStatus
  steps: Partial<Record<StepName, StepState>>
  failure?: StepFailure
  /** Id of the last rerun request applied to this movie (controller rerun): each applies once. */
  lastRerun?: number
}
