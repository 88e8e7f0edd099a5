// What the journal holds: every change to the project, in the order it was applied.
// `j` is the journal index, strictly increasing across segments; a snapshot records the last one it contains.
import type {EventMessage} from '../../core/protocol/index.js'

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

export type JournalRecord = JournalEntry & {j: number}
