// One alert transition as a person is told about it: what, where (which micrographs), since
// when, the threshold and the value measured.
import type {Finding, Severity} from '../monitors/finding.js'
import {listNames} from '../monitors/finding.js'
import type {OpenAlert} from '../monitors/transitions.js'

export interface AlertNotification {
  project: string
  state: 'firing' | 'resolved'
  key: string
  severity: Severity
  message: string
  movies: string[]
  /** When the condition began (firing) or when the alert was raised (resolved). */
  since: number
  /** When this transition happened. */
  at: number
  value?: number
  threshold?: number
}

export function firingNotification(project: string, finding: Finding, at: number): AlertNotification {
  return {
    project, state: 'firing', key: finding.key, severity: finding.severity, message: finding.message, movies: finding.movies ?? [],
    since: finding.since, at, value: finding.value, threshold: finding.threshold,
  }
}

export function resolvedNotification(project: string, alert: OpenAlert, at: number): AlertNotification {
  return {project, state: 'resolved', key: alert.key, severity: alert.severity, message: alert.message, movies: [], since: alert.at, at}
}

/** One line per notification. */
export function notificationLine(n: AlertNotification): string {
  const when = new Date(n.since).toISOString()
  if (n.state === 'resolved') return `RESOLVED [${n.key}] (firing since ${when}, ${minutes(n.at - n.since)} min): ${n.message}`
  const measured = n.threshold === undefined ? '' : ` (threshold ${n.threshold}${n.value === undefined ? '' : `, value ${round(n.value)}`})`
  const where = n.movies.length > 0 ? `; micrographs: ${listNames(n.movies, 20)}` : ''
  return `${n.severity.toUpperCase()} [${n.key}] since ${when}: ${n.message}${measured}${where}`
}

export function notificationSubject(project: string, batch: AlertNotification[]): string {
  const firing = batch.filter((n) => n.state === 'firing')
  const resolved = batch.length - firing.length
  if (batch.length === 1) return `[emstream ${project}] ${batch[0].state === 'firing' ? batch[0].severity : 'resolved'}: ${batch[0].key}`
  return `[emstream ${project}] ${firing.length} alert(s) firing, ${resolved} resolved`
}

/** The body of a message for a batch, with a note of what the rate limit held back. */
export function notificationText(project: string, batch: AlertNotification[], suppressed: number): string {
  const lines = [`Project ${project}:`, ...batch.map(notificationLine)]
  if (suppressed > 0) lines.push(`(${suppressed} earlier notification(s) were not sent: rate limit; see \`controller status --name ${project}\`)`)
  return lines.join('\n')
}

const minutes = (ms: number) => Math.round(ms / 60_000)
const round = (v: number) => Number(v.toPrecision(4))
