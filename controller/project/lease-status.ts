// The leases of a project as `controller status` shows them: per agent what it holds and can
// take now (the live table) and what its leases came to over the session (the ledger).
import type {LeaseCounts} from './leases.js'
import type {AgentView} from './lease-table.js'

export interface AgentLeaseStatus {
  agentId: string
  /** Unfinished movies leased to it. */
  held: number
  /** Movies it takes at once, from its last heartbeat (0: none heard since the controller started). */
  slots: number
  connected: boolean
  /** Its leases expired while it stayed connected (hung?): it gets nothing new until it is heard from. */
  lapsed: boolean
  /** Movies ever granted to it. */
  granted: number
  /** Its leases that expired and went to another agent. */
  expired: number
  /** Movies it was given after another agent's lease on them expired. */
  reLeased: number
}

export interface LeaseStatus {
  /** Movies offered and waiting for an agent with a free slot. */
  waiting: number
  agents: AgentLeaseStatus[]
}

/**
 * Joins the table's agents with the ledger's counts (an agent may be in one only: not leased
 * yet, or not heard from since a restart). Agents without leases (no heartbeat, nothing ever
 * granted: they take every movie they find) are left out; undefined when no agent shares.
 */
export function leaseStatus(views: AgentView[], waiting: number, counts: LeaseCounts[]): LeaseStatus | undefined {
  const byAgent = new Map<string, AgentLeaseStatus>()
  const entry = (agentId: string) => {
    let status = byAgent.get(agentId)
    if (!status) {
      status = {agentId, held: 0, slots: 0, connected: false, lapsed: false, granted: 0, expired: 0, reLeased: 0}
      byAgent.set(agentId, status)
    }
    return status
  }
  for (const view of views) if (view.slots > 0 || view.held > 0) Object.assign(entry(view.agent), {slots: view.slots, connected: view.connected, lapsed: view.lapsed, held: view.held})
  for (const {agentId, granted, expired, reLeased} of counts) Object.assign(entry(agentId), {granted, expired, reLeased})
  if (byAgent.size === 0 && waiting === 0) return undefined
  return {waiting, agents: [...byAgent.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0))}
}

/** A project's status with its leases, when agents share it (the `status` control request and `controller status`). */
export type StatusWithLeases<S> = S & {leases?: LeaseStatus}

export function withLeases<S extends object>(status: S, leases: LeaseStatus | undefined): StatusWithLeases<S> {
  return leases ? {...status, leases} : status
}
