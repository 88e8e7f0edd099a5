// Sends alert transitions to the configured channels: warnings and critical alerts only (info
// alerts, e.g. single outlier micrographs, are stored and shown but not pushed), rate-limited per
// channel, one message per batch, each channel in order so messages do not overtake each other.
import type {MonitorSettings} from '../../core/workflow/index.js'
import type {AlertChannel} from './channel.js'
import {emailChannel} from './email.js'
import type {AlertNotification} from './notification.js'
import {RateLimit, type RateLimitSettings} from './rate-limit.js'
import {webhookChannel} from './webhook.js'

export type NotifyLog = (level: 'info' | 'warn' | 'error', message: string) => void

interface Route {
  channel: AlertChannel
  limit: RateLimit
  queue: Promise<void>
}

export class Notifier {
  private readonly routes: Route[]

  constructor(
    private readonly project: string,
    channels: AlertChannel[],
    limits: RateLimitSettings,
    private readonly log: NotifyLog,
  ) {
    this.routes = channels.map((channel) => ({channel, limit: new RateLimit(limits), queue: Promise.resolve()}))
  }

  get channels(): string[] {
    return this.routes.map((r) => r.channel.name)
  }

  notify(notifications: AlertNotification[], now = Date.now()): void {
    const batch = notifications.filter((n) => n.severity !== 'info')
    if (batch.length === 0) return
    for (const route of this.routes) {
      const {send, suppressed} = route.limit.admit(batch, now)
      if (send.length === 0) continue
      route.queue = route.queue.then(() =>
        route.channel.send(this.project, send, suppressed).catch((error: Error) => this.log('error', `alert not delivered: ${error.message}`)),
      )
    }
  }

  /** Resolves when everything queued so far was sent (or failed). */
  async idle(): Promise<void> {
    await Promise.all(this.routes.map((r) => r.queue))
  }

  close(): void {
    for (const r of this.routes) r.channel.close?.()
  }
}

/** The notifier a workflow's monitors.notifications asks for; undefined when no channel is set. */
export function notifierFor(project: string, settings: MonitorSettings['notifications'], log: NotifyLog): Notifier | undefined {
  const channels: AlertChannel[] = []
  if (settings.email) channels.push(emailChannel(settings.email))
  if (settings.webhook) channels.push(webhookChannel(settings.webhook.url))
  return channels.length > 0 ? new Notifier(project, channels, settings, log) : undefined
}
