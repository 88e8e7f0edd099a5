// The live report of one open project: exports and rebuilds on the workflow's interval (when
// anything changed) and when the session closes, then publishes. The build runs in a child
// process, so ingest goes on; a failing build or publish is logged (and a publish failure
// alerted), never thrown at the session.
import type {Project} from '../project/project.js'
import {buildReport, reportPaths, type BuildResult, type ReportPaths} from './build.js'
import {ReportExporter, type ExportResult} from './export.js'
import {checkPublish, publish, rsyncArgv} from './publish.js'

export type ReportLog = (level: 'info' | 'warn' | 'error', message: string) => void

export interface ReportServiceOptions {
  log: ReportLog
  /** Default: the workflow's report.intervalSeconds. */
  intervalMs?: number
  /** Default: rsync to report.publishTarget when set. */
  publishArgv?: string[]
  publishTimeoutMs?: number
  buildTimeoutMs?: number
}

export class ReportService {
  readonly paths: ReportPaths
  private timer: NodeJS.Timeout | undefined
  private running: Promise<BuildResult | undefined> | undefined
  private again = false
  private fingerprint = ''
  private publishFailing = false
  private unsubscribe: (() => void) | undefined
  private readonly abort = new AbortController()
  private readonly exporter = new ReportExporter()
  /** Why the last build failed, undefined after a good one. */
  lastError: string | undefined
  /** The last good build's export, and how long it took (ms). */
  lastExport: (ExportResult & {ms: number}) | undefined

  constructor(
    private readonly project: Project,
    private readonly options: ReportServiceOptions,
  ) {
    this.paths = reportPaths(project.layout.root)
  }

  private get settings() {
    return this.project.workflow().workflow.report
  }

  private publishArgv(): string[] | undefined {
    return this.options.publishArgv ?? (this.settings.publishTarget ? rsyncArgv(this.settings.publishTarget) : undefined)
  }

  /** Rebuilds on the workflow's interval and when the session closes (the first build comes after one interval). */
  start(): void {
    if (!this.settings.enabled || this.timer) return
    this.timer = setInterval(() => void this.rebuild(), this.options.intervalMs ?? this.settings.intervalSeconds * 1000)
    this.timer.unref()
    this.unsubscribe = this.project.onSessionChange((session) => {
      if (session.state === 'closed') void this.rebuild({force: true})
      if (session.state === 'scheduled') void this.checkPublishing()
    })
  }

  /** Builds now when anything changed (or `force`); a call during a build runs once after it. */
  rebuild(options: {force?: boolean} = {}): Promise<BuildResult | undefined> {
    if (options.force) this.fingerprint = ''
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.buildOnce().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        void this.rebuild()
      }
    })
    return this.running
  }

  /** Stops the timer and ends a build in flight (the site keeps the last complete build). */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.unsubscribe?.()
    this.again = false
    this.abort.abort()
    await this.running
    await this.exporter.close()
  }

  async checkPublishing(): Promise<void> {
    const argv = this.publishArgv()
    if (!argv) return
    try {
      await checkPublish(argv)
      this.options.log('info', `${this.project.name}: report publishing checked (${argv.join(' ')})`)
      this.publishWorks()
    } catch (error) {
      this.publishFailed(error as Error)
    }
  }

  private async buildOnce(): Promise<BuildResult | undefined> {
    const name = this.project.name
    try {
      const fingerprint = changeFingerprint(this.project)
      if (fingerprint === this.fingerprint) return undefined
      const {workflow} = this.project.workflow()
      const started = performance.now()
      const exported = await this.exporter.export(this.project.db, this.paths.data, {name, workflow}, this.abort.signal)
      const exportMs = performance.now() - started
      for (const p of exported.problems.slice(0, 5)) this.options.log('warn', `${name}: report image of movie ${p.id} (${p.file}): ${p.problem}`)
      const built = await buildReport(this.paths, {timeoutMs: this.options.buildTimeoutMs, signal: this.abort.signal})
      this.fingerprint = fingerprint
      this.lastError = undefined
      this.lastExport = {...exported, ms: exportMs}
      this.project.reportWritten()
      this.options.log('info', `${name}: report built in ${((exportMs + built.ms) / 1000).toFixed(1)} s (${exported.micrographs} micrographs, ${exported.reread} read again, ${exported.pagesMade} pages made, ${built.linked} files linked in)`)
      await this.publishBuild(built.folder)
      return built
    } catch (error) {
      this.lastError = (error as Error).message
      // A full projects disk joins the project's storage alert.
      if (!this.abort.signal.aborted) this.project.reportWritten(error)
      if (!this.abort.signal.aborted) this.options.log('error', `${name}: report: ${this.lastError}`)
      return undefined
    }
  }

  private async publishBuild(folder: string): Promise<void> {
    const argv = this.publishArgv()
    if (!argv) return
    try {
      await publish(argv, folder, this.options.publishTimeoutMs)
      this.publishWorks()
    } catch (error) {
      this.publishFailed(error as Error)
    }
  }

  private publishWorks(): void {
    if (this.publishFailing) this.options.log('info', `${this.project.name}: report publishing works again`)
    this.publishFailing = false
    this.project.setServiceProblem(PUBLISH_ALERT, undefined)
  }

  /** One alert per run of failures (raised by the monitors while the problem is set), every failure logged. */
  private publishFailed(error: Error): void {
    this.options.log('error', `${this.project.name}: ${error.message}`)
    this.publishFailing = true
    this.project.setServiceProblem(PUBLISH_ALERT, {severity: 'warning', message: error.message})
  }
}

const PUBLISH_ALERT = 'report-publish'

/** Cheap summary of everything the report shows: equal means nothing to rebuild. */
function changeFingerprint(project: Project): string {
  const result = project.db.exec(`SELECT
    (SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM movies),
    (SELECT count(*) || ':' || coalesce(max(ended_at), 0) || ':' || coalesce(max(started_at), 0) FROM step_runs),
    (SELECT count(*) || ':' || coalesce(max(resolved_at), 0) FROM alerts),
    (SELECT count(*) FROM system_samples),
    (SELECT state || ':' || coalesce(input_closed_at, 0) FROM sessions ORDER BY id DESC LIMIT 1)`)
  return JSON.stringify(result[0]?.values[0] ?? [])
}
