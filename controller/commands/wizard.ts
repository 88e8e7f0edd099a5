// `controller wizard [--tty] [--port P] [--dir D]`
import {Command, Flags} from '@oclif/core'
import type {WizardResult} from '../wizard/submit.js'
import {dirFlag, userErrors} from './shared.js'

export default class Wizard extends Command {
  static override summary = 'Ask for a session\'s basic input (web page or terminal), then create and schedule its project'
  static override description =
    'Serves a small page on 127.0.0.1 (or asks in the terminal with --tty) for the session name, data folder, file pattern, pixel ' +
    'size, dose, voltage, gain reference, programs (the templates whose programs agent doctor finds on this machine), particle ' +
    'diameters and publish target. Fills the template, validates it, creates and schedules the project, and prints the command ' +
    'lines that do the same. The last values are remembered per microscope in the projects folder.'
  static override flags = {
    dir: dirFlag,
    tty: Flags.boolean({description: 'ask in the terminal instead of a web page', default: false}),
    port: Flags.integer({description: 'port of the page (default: any free one)', min: 0, max: 65535, default: 0}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Wizard)
    const {projectsDir} = await import('../project/layout.js')
    const {wizardQuestions} = await import('../wizard/questions.js')
    const {templateVerdicts} = await import('../wizard/programs.js')
    const dir = projectsDir(flags.dir)
    const verdicts = await templateVerdicts()
    for (const v of verdicts.filter((t) => !t.canRun)) this.log(`(template ${v.template} not offered: ${v.problems.join('; ')})`)
    const questions = wizardQuestions(verdicts.filter((v) => v.canRun).map((v) => v.template))
    if (flags.tty) {
      const {askInTerminal} = await import('../wizard/tty.js')
      const {createAndSchedule} = await import('../wizard/submit.js')
      const answers = await askInTerminal(questions, dir)
      const result = await userErrors(this, async () => {
        try {
          return await createAndSchedule(dir, questions, answers)
        } catch (error) {
          if ((error as Error).name === 'WizardError') this.error((error as Error).message, {exit: 2})
          throw error
        }
      })
      return this.report(result)
    }
    const {startWizardServer} = await import('../wizard/server.js')
    let created: (result: WizardResult) => void = () => {}
    const done = new Promise<WizardResult>((resolve) => (created = resolve))
    const server = await startWizardServer({projectsDir: dir, questions, port: flags.port, onCreated: (r) => created(r)})
    this.log(`Open ${server.url} in a browser on this machine (Ctrl-C to stop).`)
    const result = await done
    await server.close()
    this.report(result)
  }

  private report(result: WizardResult): void {
    this.log(`Project ${result.project.name} created in ${result.project.path}: ${result.state}.`)
    this.log(`Agent token (shown once; kept in ${result.project.path}/agent-token): ${result.project.token}`)
    this.log('The same from a terminal:')
    for (const line of result.commands) this.log(`  ${line}`)
  }
}
