// Chat webhooks: Slack and Mattermost incoming webhooks both take a JSON POST with "text".
import {ChannelError, type AlertChannel} from './channel.js'
import {notificationSubject, notificationText, type AlertNotification} from './notification.js'

const TIMEOUT_MS = 15_000

export function webhookChannel(url: string): AlertChannel {
  // The path of a Slack webhook URL is its secret: logs show the host only.
  const name = `webhook ${new URL(url).host}`
  return {
    name,
    async send(project: string, batch: AlertNotification[], suppressed: number) {
      const text = `*${notificationSubject(project, batch)}*\n${notificationText(project, batch, suppressed)}`
      let response: Response
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {'content-type': 'application/json'},
          body: JSON.stringify({text, username: 'emstream'}),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        })
      } catch (error) {
        throw new ChannelError(name, (error as Error).message)
      }
      if (!response.ok) throw new ChannelError(name, `answered ${response.status} ${(await response.text()).slice(0, 200)}`)
    },
  }
}
