// E-mail over SMTP (nodemailer: STARTTLS when offered, auth, proper MIME and addresses).
import nodemailer from 'nodemailer'
import type {MonitorSettings} from '../../core/workflow/index.js'
import {ChannelError, type AlertChannel} from './channel.js'
import {notificationSubject, notificationText, type AlertNotification} from './notification.js'

export type EmailSettings = NonNullable<MonitorSettings['notifications']['email']>

export function emailChannel(settings: EmailSettings, env: NodeJS.ProcessEnv = process.env): AlertChannel {
  const password = settings.passwordEnv ? env[settings.passwordEnv] : undefined
  if (settings.passwordEnv && password === undefined) {
    throw new ChannelError(`email via ${settings.host}`, `environment variable ${settings.passwordEnv} (monitors.notifications.email.passwordEnv) is not set`)
  }
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? {auth: {user: settings.user, pass: password ?? ''}} : {}),
  })
  const name = `email to ${settings.to.join(', ')} via ${settings.host}:${settings.port}`
  return {
    name,
    async send(project: string, batch: AlertNotification[], suppressed: number) {
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: notificationSubject(project, batch),
          text: notificationText(project, batch, suppressed),
        })
      } catch (error) {
        throw new ChannelError(name, (error as Error).message)
      }
    },
    close: () => transport.close(),
  }
}
