// The projects a server has open, each opened on first use (an agent's hello or a control
// request) and held, with the lock, until the server stops.
import {existsSync} from 'node:fs'
import {Project, type OpenOptions} from '../project/project.js'
import {projectLayout} from '../project/layout.js'
import {readTokenFile} from '../project/token.js'
import type {Log} from './log.js'

export interface OpenProject {
  project: Project
  token: string
}

export class ProjectRegistry {
  private readonly open = new Map<string, Promise<OpenProject>>()

  constructor(
    private readonly projectsDir: string,
    private readonly log: Log,
    private readonly openOptions: Pick<OpenOptions, 'snapshotPolicy' | 'leaseTiming'>,
    private readonly onOpened?: (entry: OpenProject) => void,
  ) {}

  /** The open project, opening it if needed; undefined when there is no such project. */
  async get(name: string): Promise<OpenProject | undefined> {
    let entry = this.open.get(name)
    if (!entry) {
      let layout
      try {
        layout = projectLayout(this.projectsDir, name)
      } catch {
        return undefined
      }
      if (!existsSync(layout.snapshot)) return undefined
      entry = this.openProject(layout)
      this.open.set(name, entry)
      entry.catch(() => this.open.delete(name))
    }
    return entry
  }

  private async openProject(layout: ReturnType<typeof projectLayout>): Promise<OpenProject> {
    const project = await Project.open(layout, {
      ...this.openOptions,
      onApplyProblem: (problem, entry) => this.log('error', `${layout.root}: could not apply ${entry.type} record: ${problem}`),
      onStorage: (problem) => this.log(problem ? 'error' : 'info', `${layout.root}: ${problem ?? 'the projects disk takes writes again'}`),
    })
    const opened = {project, token: await readTokenFile(layout.token)}
    this.log('info', `opened project ${project.name} (${project.status().state})`)
    this.onOpened?.(opened)
    return opened
  }

  async all(): Promise<OpenProject[]> {
    const settled = await Promise.allSettled(this.open.values())
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  }

  async closeAll(): Promise<void> {
    const entries = await this.all()
    this.open.clear()
    await Promise.all(entries.map((e) => e.project.close()))
  }
}
