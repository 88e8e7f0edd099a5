// `controller provenance --name N --micrograph M [--dir D] [--json]`
import {Command, Flags} from '@oclif/core'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Provenance extends Command {
  static override summary = 'Trace a micrograph back to its movie: every step\'s program, version, argv and parameters, and the exported rows'
  static override description =
    'Reads the project (also while a controller serves it). --micrograph takes the movie id (its path under the inputFolder), ' +
    'or the movie or micrograph file name when that names one movie. Every version of every step is listed; the current one is marked.'
  static override flags = {
    name: nameFlag,
    dir: dirFlag,
    micrograph: Flags.string({description: 'movie id, or movie / micrograph file name', required: true}),
    json: Flags.boolean({description: 'one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Provenance)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {Project} = await import('../project/project.js')
    const {traceMicrograph} = await import('../provenance/trace.js')
    const {describeProvenance} = await import('../provenance/describe.js')
    const trace = await userErrors(this, async () => {
      const project = await Project.open(projectLayout(projectsDir(flags.dir), flags.name), {readOnly: true})
      try {
        return traceMicrograph(project.db, project.name, project.workflow().workflow, flags.micrograph)
      } finally {
        await project.close()
      }
    })
    this.log(flags.json ? JSON.stringify(trace) : describeProvenance(trace))
  }
}
