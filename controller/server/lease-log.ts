// What the server logs of a project's lease notices: every revocation as it is told, and grants
// summed per agent over an interval (a busy shared session grants thousands of movies a minute).
import type {LeaseNotice} from '../project/lease-table.js'
import type {Log} from './log.js'

export const LEASE_LOG_INTERVAL_MS = 10_000

export class LeaseActivityLog {
  private readonly granted = new Map<string, number>()
  private since = 0

  constructor(
    private readonly project: string,
    private readonly log: Log,
    private readonly intervalMs = LEASE_LOG_INTERVAL_MS,
  ) {}

  noticed({agent, granted, revoked}: LeaseNotice, now = Date.now()): void {
    if (revoked.length > 0) this.log('warn', `project ${this.project}: agent ${agent} is told ${revoked.length} movie(s) it held went to other agents while it was away or silent`)
    if (granted.length === 0) return
    if (this.granted.size === 0) this.since = now
    this.granted.set(agent, (this.granted.get(agent) ?? 0) + granted.length)
  }

  /** Logs the grants summed since the first one not yet logged, once the interval has passed (the lease ticker calls it). */
  flushIfDue(now = Date.now()): void {
    if (this.granted.size === 0 || now - this.since < this.intervalMs) return
    const total = [...this.granted.values()].reduce((n, c) => n + c, 0)
    const perAgent = [...this.granted].map(([agent, n]) => `${agent} ${n}`).join(', ')
    this.log('info', `project ${this.project}: leased ${total} movie(s) in ${((now - this.since) / 1000).toFixed(0)} s (${perAgent})`)
    this.granted.clear()
  }
}
