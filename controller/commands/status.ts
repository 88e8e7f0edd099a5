// `controller status --name N [--dir D] [--json]`
import {Command, Flags} from '@oclif/core'
import {describeStatus, type ShownStatus} from './describe-status.js'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Status extends Command {
  static override summary = 'Show a project\'s session state, counts, shared agents\' leases and alerts'
  static override flags = {name: nameFlag, dir: dirFlag, json: Flags.boolean({description: 'one JSON object', default: false})}

  async run(): Promise<void> {
    const {flags} = await this.parse(Status)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    const {status, live} = await userErrors(this, async () => {
      const served = await controlRequest<ShownStatus>(dir, flags.name, 'status')
      if (served) return {status: served, live: true}
      // No controller serving: read the project from disk (snapshot + journal), without the lock.
      const {Project} = await import('../project/project.js')
      const {withLeases} = await import('../project/lease-status.js')
      const project = await Project.open(projectLayout(dir, flags.name), {readOnly: true})
      try {
        return {status: withLeases(project.status(), project.leases.status()), live: false}
      } finally {
        await project.close()
      }
    })
    this.log(flags.json ? JSON.stringify(status) : describeStatus(status, live))
  }
}
