// `controller rerun --name N --step S [--set k=v ...] [--micrographs LIST | --rejected] [--dir D] [--json]`
import {Command, Flags} from '@oclif/core'
import type {RerunRequest} from '../project/records.js'
import type {RerunSelection} from '../rerun/plan.js'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Rerun extends Command {
  static override summary = 'Process a step and its downstream steps again, for all or some micrographs, with new parameters'
  static override description =
    'Makes a new workflow revision from the one in force and --set, and asks the agents to run --step and every step after it ' +
    'again under it, while or after the session streams. Earlier results stay as earlier versions with their provenance; the ' +
    'newest is the one shown and exported. Movies found from now on use the new revision too. Without a serving controller the ' +
    'request is recorded and reaches the agents when one serves the project.'
  static override flags = {
    name: nameFlag,
    dir: dirFlag,
    step: Flags.string({description: 'first step to run again', options: ['motion', 'ctf', 'picking', 'preview'], required: true}),
    set: Flags.string({description: 'workflow setting key.path=value for the new revision (repeatable)', multiple: true, default: []}),
    micrographs: Flags.string({description: 'comma-separated movie ids (default: every movie)', exclusive: ['rejected']}),
    rejected: Flags.boolean({description: 'only the micrographs the curation rejects (see `controller curate`)', default: false}),
    json: Flags.boolean({description: 'print the recorded request as JSON', default: false}),
  }
  static override examples = ['<%= config.bin %> rerun --name apoferritin --step ctf --set ctf.defocusMax=40000 --rejected']

  async run(): Promise<void> {
    const {flags} = await this.parse(Rerun)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    const selection: RerunSelection = flags.rejected
      ? {kind: 'rejected'}
      : flags.micrographs
        ? {kind: 'list', movies: flags.micrographs.split(',').map((m) => m.trim()).filter((m) => m !== '')}
        : {kind: 'all'}
    const input = {step: flags.step, settings: flags.set, selection}
    let live = true
    const rerun = await userErrors(this, async () => {
      const answer = await controlRequest<RerunRequest>(dir, flags.name, 'rerun', input)
      if (answer) return answer
      live = false
      const {Project} = await import('../project/project.js')
      const {planRerun} = await import('../rerun/plan.js')
      const project = await Project.open(projectLayout(dir, flags.name))
      try {
        const request = planRerun(project, input)
        project.rerun(request)
        return request
      } finally {
        await project.close()
      }
    })
    if (flags.json) return this.log(JSON.stringify({...rerun, delivered: live}))
    this.log(`Rerun ${rerun.id}: ${rerun.steps.join(' -> ')} of ${rerun.movies.length} movie(s) under workflow revision ${rerun.revision}.`)
    this.log(live ? 'Sent to the connected agents.' : 'No controller is serving: agents get it when one serves this project (`controller serve`).')
  }
}
