// The report inside `controller serve`: a ReportService per open project, and the latest built
// report of each project over HTTP at /report/<project>/ (read-only, no token: it is what
// would be published anyway). POST /report/<project>/build rebuilds at once (coalesced with
// the timer's builds), for the demo and for staff who do not want to wait for the interval.
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'
import {checkProjectName, projectLayout} from '../project/layout.js'
import type {Project} from '../project/project.js'
import {reportPaths} from './build.js'
import {serveSiteFile} from './serve-site.js'
import {ReportService, type ReportLog} from './service.js'

export const REPORT_PATH = '/report/'
const BUILD = 'build'

export class LiveReports {
  private readonly services = new Map<string, ReportService>()

  constructor(
    private readonly projectsDir: string,
    private readonly log: ReportLog,
  ) {}

  /** Starts rebuilding the project's report on its interval and when its session closes. */
  watch(project: Project): void {
    const service = new ReportService(project, {log: this.log})
    this.services.set(project.name, service)
    service.start()
  }

  handles(request: IncomingMessage): boolean {
    return (request.url ?? '').startsWith(REPORT_PATH)
  }

  async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rest = (request.url ?? '').slice(REPORT_PATH.length)
    const slash = rest.indexOf('/')
    const name = decodeURIComponent(slash < 0 ? rest.split('?')[0] : rest.slice(0, slash))
    try {
      checkProjectName(name)
    } catch {
      response.writeHead(404, {'Content-Type': 'text/plain; charset=utf-8'}).end(`no project ${JSON.stringify(name)}\n`)
      return
    }
    // Relative links need the folder form: /report/demo -> /report/demo/
    if (slash < 0) return void response.writeHead(301, {Location: `${REPORT_PATH}${encodeURIComponent(name)}/`}).end()
    if (request.method === 'POST' && rest.slice(slash + 1) === BUILD) return this.buildNow(name, response)
    await serveSiteFile(reportPaths(projectLayout(this.projectsDir, name).root).site, rest.slice(slash + 1), request, response)
  }

  /** POST /report/<project>/build: rebuilds now, answers {index} (the built index.html, with the build's and the export's figures) or {error}. */
  private async buildNow(name: string, response: ServerResponse): Promise<void> {
    const service = this.services.get(name)
    const json = (status: number, body: object) => void response.writeHead(status, {'Content-Type': 'application/json'}).end(JSON.stringify(body) + '\n')
    if (!service) return json(404, {error: `project ${name} is not open in this controller`})
    const built = await service.rebuild({force: true})
    if (!built) return json(500, {error: service.lastError ?? 'the report was not built'})
    const exported = service.lastExport
    json(200, {
      index: join(service.paths.site, 'index.html'),
      ms: Math.round(built.ms),
      astroMs: Math.round(built.astroMs),
      astroCpuMs: Math.round(built.cpuMs),
      linked: built.linked,
      exportMs: exported && Math.round(exported.ms),
      reread: exported?.reread,
    })
  }

  /** Ends the builds in flight. */
  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()))
    this.services.clear()
  }
}
