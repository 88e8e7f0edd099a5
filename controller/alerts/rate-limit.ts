// Which notifications go out: the same alert key at most once per interval (a flapping monitor
// does not flood), and at most N messages per channel per hour. State is per process: after a
// restart nothing is re-sent anyway, because only new transitions are notified.
import type {AlertNotification} from './notification.js'

const HOUR = 3_600_000

export interface RateLimitSettings {
  minIntervalMinutes: number
  maxPerHour: number
}

export class RateLimit {
  private readonly lastFired = new Map<string, number>()
  /** Keys whose firing was held back: their resolution is not news either. */
  private readonly untold = new Set<string>()
  private readonly sentAt: number[] = []
  private held = 0

  constructor(private readonly settings: RateLimitSettings) {}

  /** The part of batch to send now, and how many were held back before it (then reset); empty when none. */
  admit(batch: AlertNotification[], now: number): {send: AlertNotification[]; suppressed: number} {
    const send = batch.filter((n) => this.keyAdmits(n, now))
    const dropped = batch.length - send.length
    while (this.sentAt.length > 0 && now - this.sentAt[0] >= HOUR) this.sentAt.shift()
    if (send.length === 0 || this.sentAt.length >= this.settings.maxPerHour) {
      this.held += send.length + dropped
      return {send: [], suppressed: 0}
    }
    this.sentAt.push(now)
    const suppressed = this.held + dropped
    this.held = 0
    return {send, suppressed}
  }

  private keyAdmits(n: AlertNotification, now: number): boolean {
    if (n.state === 'resolved') return !this.untold.delete(n.key)
    const last = this.lastFired.get(n.key)
    if (last !== undefined && now - last < this.settings.minIntervalMinutes * 60_000) {
      this.untold.add(n.key)
      return false
    }
    this.lastFired.set(n.key, now)
    return true
  }
}
