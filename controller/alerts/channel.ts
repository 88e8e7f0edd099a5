// Where notifications go. A channel sends one message per batch of transitions.
import type {AlertNotification} from './notification.js'

export interface AlertChannel {
  /** For logs, e.g. "email to a@b" or "webhook https://host/...". */
  readonly name: string
  send(project: string, batch: AlertNotification[], suppressed: number): Promise<void>
  close?(): void
}

/** A channel that could not deliver: names it and says why. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError'
  constructor(
    readonly channel: string,
    readonly problem: string,
  ) {
    super(`${channel}: ${problem}`)
  }
}
