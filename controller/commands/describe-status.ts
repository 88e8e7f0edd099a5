// `controller status` as text: one line per fact an operator reads at a glance.
import type {LeaseStatus} from '../project/lease-status.js'
import type {ProjectStatus} from '../project/queries.js'

export type ShownStatus = ProjectStatus & {leases?: LeaseStatus}

/** `live`: the status came from a serving controller (only it knows slots and connections). */
export function describeStatus(s: ShownStatus, live: boolean): string {
  const m = s.movies
  const lines = [
    `${s.project}: ${s.state}${s.acceptingMovies ? '' : ' (input closed)'}`,
    `movies: ${m.found} found, ${m.processed} processed, ${m.failed} failed, ${m.inFlight} in flight; last found ${s.lastMovieAt ?? 'never'}`,
    ...Object.entries(s.steps).map(([step, c]) => `  ${step.padEnd(8)} ${c.done} done, ${c.failed} failed, ${c.running} running`),
    ...s.agents.map((a) => `agent ${a.agentId} (${a.host ?? '?'}): seq ${a.lastSeq}, last seen ${a.lastSeenAt}`),
    ...(s.leases ? describeLeases(s.leases, live) : []),
    ...s.alerts.map((a) => `ALERT ${a.severity} ${a.at} [${a.monitor}] ${a.message}`),
  ]
  return lines.join('\n')
}

/** The shared agents' leases: what each holds of its slots, and what its leases came to. */
export function describeLeases(leases: LeaseStatus, live: boolean): string[] {
  const waiting = live ? `${leases.waiting} movie(s) offered and waiting for a free slot` : 'slots and waiting offers are known only while a controller serves'
  return [
    `leases (shared agents): ${waiting}`,
    ...leases.agents.map((a) => {
      const now = live ? `${a.held} of ${a.slots} slot(s) held, ${connection(a)}` : `${a.held} held`
      return `  agent ${a.agentId}: ${now}; ${a.granted} granted, ${a.expired} expired and re-leased elsewhere, ${a.reLeased} taken over from others`
    }),
  ]
}

function connection(a: LeaseStatus['agents'][number]): string {
  if (!a.connected) return 'disconnected (its leases last out the grace)'
  return a.lapsed ? 'connected but silent (its leases lapsed)' : 'connected'
}
