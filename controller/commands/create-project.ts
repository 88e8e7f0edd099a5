// `controller create-project --name N --workflow FILE [--set k=v ...] [--agent-output DIR ...] [--dir D] [--force] [--json]`
import {Command, Flags} from '@oclif/core'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class CreateProject extends Command {
  static override summary = 'Create a project from a workflow and print the agents\' token'
  static override description =
    'Validates the workflow (a file or a template name; --set fills placeholders and overrides values; missing values are asked ' +
    'for when stdin is a terminal), creates the project folder and database, and creates the token agents join with. The token ' +
    'is printed once and kept in the project\'s agent-token file, readable by you only.'
  static override flags = {
    name: nameFlag,
    workflow: Flags.string({description: 'workflow file or template name', default: 'spa-builtin'}),
    set: Flags.string({description: 'workflow setting key.path=value (repeatable)', multiple: true, default: []}),
    dir: dirFlag,
    force: Flags.boolean({description: 'replace an existing project of that name', default: false}),
    'agent-output': Flags.string({
      description: "folder the agents write their outputs to (agent start --out), as the controller sees it; the report reads previews and picks only from inside these (repeatable)",
      multiple: true,
      default: [],
    }),
    json: Flags.boolean({description: 'print {"name", "path", "token"} as JSON', default: false}),
  }
  static override examples = [
    '<%= config.bin %> create-project --name apoferritin --set acquisition.inputFolder=/data/apo --set acquisition.pixelSize=0.83 --set acquisition.dosePerFrame=1.1 --set picking.diameterMin=100 --set picking.diameterMax=140',
  ]

  async run(): Promise<void> {
    const {flags} = await this.parse(CreateProject)
    const {loadWorkflow} = await import('../../core/workflow/index.js')
    const {createProject} = await import('../project/create.js')
    const {projectsDir} = await import('../project/layout.js')
    const created = await userErrors(this, async () => {
      const {workflow} = await loadWorkflow(flags.workflow, {settings: flags.set})
      const {resolve} = await import('node:path')
      const agentOutputFolders = flags['agent-output'].map((f) => resolve(f))
      return createProject({projectsDir: projectsDir(flags.dir), name: flags.name, workflow, force: flags.force, agentOutputFolders})
    })
    if (flags.json) return this.log(JSON.stringify(created))
    this.log(`Created project ${created.name} in ${created.path}`)
    this.log(`Agent token (shown once; kept in ${created.path}/agent-token):`)
    this.log(created.token)
  }
}
