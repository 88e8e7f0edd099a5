// `controller stop-streaming --name N [--dir D]`
import {Command} from '@oclif/core'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class StopStreaming extends Command {
  static override summary = 'Close a session\'s input: finish what is queued, then close every output set'
  static override flags = {name: nameFlag, dir: dirFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(StopStreaming)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    const status = await userErrors(this, async () => {
      const live = await controlRequest(dir, flags.name, 'stop-streaming')
      if (live) return live
      const {Project} = await import('../project/project.js')
      const project = await Project.open(projectLayout(dir, flags.name))
      try {
        project.closeInput('stop-streaming')
        return project.status()
      } finally {
        await project.close()
      }
    })
    this.log(`Project ${status.project}: ${status.state}, input closed; ${status.movies.inFlight} movie(s) still in flight.`)
  }
}
