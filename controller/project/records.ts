// What the journal holds: every change to the project, in the order it was applied.
// `j` is the journal index, strictly increasing across segments; a snapshot records the last one it contains.
import type {EventMessage} from '../../core/protocol/index.js'
import type {StepName, Workflow} from '../../core/workflow/index.js'
import type {LeaseGrant} from './leases.js'

export type SessionAction = 'schedule' | 'start' | 'closeInput' | 'close'

export interface NewAlert {
  monitor: string
  severity: 'info' | 'warning' | 'critical'
  message: string
  movie?: string
  value?: number
  threshold?: number
  /** What the monitor found (JSON): the micrographs concerned, since when, the measured values. */
  details?: Record<string, unknown>
}

/** A re-processing request (`controller rerun`): steps of some movies again, under a new workflow revision. */
export interface RerunRequest {
  id: number
  /** The new workflow revision (its number is the version of the new results). */
  revision: number
  workflow: Workflow
  /** The step asked for, then its downstream steps, in pipeline order. */
  steps: StepName[]
  /** The settings changed (key.path=value), as given. */
  settings: string[]
  movies: string[]
}

export type JournalEntry =
  /** An agent's event message as received (with its agentId, seq and the agent's time). */
  | {type: 'event'; receivedAt: number; message: EventMessage}
  | {type: 'agentConnected'; agentId: string; host: string; software: string; at: number}
  | {type: 'session'; action: SessionAction; at: number; reason?: string}
  | {type: 'alert'; at: number; alert: NewAlert}
  /** The open alert of this monitor key is resolved (controller/monitors). */
  | {type: 'alertResolved'; at: number; monitor: string}
  /** Exposure curation thresholds changed (`controller curate --set`); the full set in force. */
  | {type: 'curation'; at: number; thresholds: Record<string, unknown>}
  /** A rerun request (controller/rerun); its workflow becomes the session's revision. */
  | {type: 'rerun'; at: number; rerun: RerunRequest}
  /** A movie leased to one of several agents sharing the session (leases.ts). */
  | LeaseGrant

export type JournalRecord = JournalEntry & {j: number}
