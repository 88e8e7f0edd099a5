// `controller status --name N [--dir D] [--json]`
import {Command, Flags} from '@oclif/core'
import type {ProjectStatus} from '../project/queries.js'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Status extends Command {
  static override summary = 'Show a project\'s session state, counts and alerts'
  static override flags = {name: nameFlag, dir: dirFlag, json: Flags.boolean({description: 'one JSON object', default: false})}

  async run(): Promise<void> {
    const {flags} = await this.parse(Status)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    const status = await userErrors(this, async () => {
      const live = await controlRequest(dir, flags.name, 'status')
      if (live) return live
      // No controller serving: read the project from disk (snapshot + journal), without the lock.
      const {Project} = await import('../project/project.js')
      const project = await Project.open(projectLayout(dir, flags.name), {readOnly: true})
      try {
        return project.status()
      } finally {
        await project.close()
      }
    })
    this.log(flags.json ? JSON.stringify(status) : describeStatus(status))
  }
}

function describeStatus(s: ProjectStatus): string {
  const m = s.movies
  const lines = [
    `${s.project}: ${s.state}${s.acceptingMovies ? '' : ' (input closed)'}`,
    `movies: ${m.found} found, ${m.processed} processed, ${m.failed} failed, ${m.inFlight} in flight; last found ${s.lastMovieAt ?? 'never'}`,
    ...Object.entries(s.steps).map(([step, c]) => `  ${step.padEnd(8)} ${c.done} done, ${c.failed} failed, ${c.running} running`),
    ...s.agents.map((a) => `agent ${a.agentId} (${a.host ?? '?'}): seq ${a.lastSeq}, last seen ${a.lastSeenAt}`),
    ...s.alerts.map((a) => `ALERT ${a.severity} ${a.at} [${a.monitor}] ${a.message}`),
  ]
  return lines.join('\n')
}
