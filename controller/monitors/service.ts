// Runs the monitors of one open project: evaluates them on a timer (results streaming in and the
// time-based monitors alike), applies the alert transitions through the project's journal, and
// hands them to the notifier. Only live transitions notify; replaying the journal never does.
import type {Project} from '../project/project.js'
import {STORAGE_ALERT} from '../project/storage.js'
import {firingNotification, resolvedNotification} from '../alerts/notification.js'
import {notifierFor, type Notifier, type NotifyLog} from '../alerts/notifier.js'
import {evaluateMonitors} from './evaluate.js'
import type {Finding} from './finding.js'
import {readMonitorInput, readOpenAlerts} from './read.js'
import {alertTransitions, type AlertTransitions} from './transitions.js'

export const MONITOR_INTERVAL_MS = 5_000

export interface MonitorServiceOptions {
  log: NotifyLog
  intervalMs?: number
}

export class MonitorService {
  private timer: NodeJS.Timeout | undefined
  private notifier: {settings: string; notifier: Notifier | undefined} | undefined

  constructor(
    private readonly project: Project,
    private readonly options: MonitorServiceOptions,
  ) {}

  /** Evaluates every monitor now and applies what changed. */
  evaluate(now = Date.now()): AlertTransitions {
    const {workflow} = this.project.workflow()
    const findings = [...evaluateMonitors(readMonitorInput(this.project.db, workflow, now), workflow.monitors), ...storageFindings(this.project), ...this.project.serviceProblems()]
    const transitions = alertTransitions(readOpenAlerts(this.project.db), findings)
    for (const finding of transitions.fired) this.project.raiseAlert(newAlert(finding), now)
    for (const alert of transitions.resolved) this.project.resolveAlert(alert.key, now)
    const notifications = [
      ...transitions.fired.map((f) => firingNotification(this.project.name, f, now)),
      ...transitions.resolved.map((a) => resolvedNotification(this.project.name, a, now)),
    ]
    if (notifications.length > 0) this.currentNotifier()?.notify(notifications, now)
    return transitions
  }

  start(): void {
    this.timer ??= setInterval(() => {
      try {
        this.evaluate()
      } catch (error) {
        this.options.log('error', `${this.project.name}: monitors: ${(error as Error).message}`)
      }
    }, this.options.intervalMs ?? MONITOR_INTERVAL_MS)
    this.timer.unref()
  }

  /** Stops the timer and waits for notifications in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.notifier?.notifier?.idle()
    this.notifier?.notifier?.close()
  }

  /** Resolves when every notification so far was delivered or failed. */
  async idle(): Promise<void> {
    await this.notifier?.notifier?.idle()
  }

  /** The notifier of the workflow in force (rebuilt when its notification settings change). */
  private currentNotifier(): Notifier | undefined {
    const settings = this.project.workflow().workflow.monitors.notifications
    const text = JSON.stringify(settings)
    if (this.notifier?.settings !== text) {
      this.notifier?.notifier?.close()
      let notifier: Notifier | undefined
      try {
        notifier = notifierFor(this.project.name, settings, this.options.log)
      } catch (error) {
        this.options.log('error', `${this.project.name}: notifications: ${(error as Error).message}`)
      }
      this.notifier = {settings: text, notifier}
    }
    return this.notifier.notifier
  }
}

/** The projects disk refusing the project's writes (controller/project/storage.ts), alerted like a monitor's finding. */
function storageFindings(project: Project): Finding[] {
  const problem = project.storageProblem()
  return problem ? [{key: STORAGE_ALERT, severity: 'critical', message: problem.message, since: problem.since}] : []
}

function newAlert(f: Finding) {
  return {
    monitor: f.key,
    severity: f.severity,
    message: f.message,
    ...(f.movies?.length ? {movie: f.movies[0]} : {}),
    ...(f.value === undefined ? {} : {value: f.value}),
    ...(f.threshold === undefined ? {} : {threshold: f.threshold}),
    details: {since: f.since, ...(f.movies ? {movies: f.movies} : {})},
  }
}
