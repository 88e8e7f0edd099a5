// `agent process <input...> --out DIR`: run the per-movie pipeline on files at once, to check
// settings on one movie before a session. Exit 0 all ok, 1 any failed, 2 bad usage.
import {Args, Command, Flags} from '@oclif/core'

const STEP_ALIASES: Record<string, 'motion' | 'ctf' | 'picking' | 'preview'> = {
  motion: 'motion',
  ctf: 'ctf',
  pick: 'picking',
  picking: 'picking',
  preview: 'preview',
}

export default class Process extends Command {
  static override summary = 'Process movies or micrographs now (no watching, no controller)'
  static override description =
    'Runs motion correction, CTF estimation and picking on the given files with a workflow\'s settings. A 2D micrograph skips motion. ' +
    'With --json, stdout holds one JSON object per input, one per line.'
  static override strict = false
  static override args = {input: Args.string({description: 'movie or micrograph file(s)', required: true})}
  static override flags = {
    out: Flags.string({description: 'output folder', required: true}),
    workflow: Flags.string({description: 'workflow file or template name', default: 'spa-builtin'}),
    set: Flags.string({description: 'workflow setting key.path=value (repeatable)', multiple: true, default: []}),
    steps: Flags.string({description: 'comma-separated steps to run: motion,ctf,pick,preview', default: 'motion,ctf,pick'}),
    json: Flags.boolean({description: 'one JSON object per input on stdout', default: false}),
    threads: Flags.integer({description: 'CPU threads for all steps together (default: all cores)', min: 1}),
  }
  static override examples = [
    '<%= config.bin %> process movie.tiff --out /tmp/check --set acquisition.pixelSize=0.83 --set acquisition.dosePerFrame=1.1 --set picking.diameterMin=100 --set picking.diameterMax=150',
  ]

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Process)
    const inputs = argv as string[]
    const {existsSync} = await import('node:fs')
    const {dirname, resolve} = await import('node:path')
    const missing = inputs.filter((i) => !existsSync(i))
    if (missing.length > 0) this.error(`no such input file: ${missing.join(', ')}`, {exit: 2})
    const steps = flags.steps.split(',').map((s) => s.trim()).filter(Boolean)
    const unknown = steps.filter((s) => !STEP_ALIASES[s])
    if (unknown.length > 0 || steps.length === 0) this.error(`--steps: unknown step ${unknown.join(', ') || '(none given)'}; use motion, ctf, pick, preview`, {exit: 2})

    const {loadWorkflow, WorkflowError} = await import('../../core/workflow/index.js')
    const settings = [...flags.set]
    if (!settings.some((s) => s.startsWith('acquisition.inputFolder='))) settings.unshift(`acquisition.inputFolder=${dirname(resolve(inputs[0]))}`)
    let workflow
    try {
      workflow = (await loadWorkflow(flags.workflow, {settings, ask: flags.json ? false : undefined})).workflow
    } catch (error) {
      if (error instanceof WorkflowError) this.error(error.message, {exit: 2})
      throw error
    }
    const {processFiles, describeOutcome} = await import('../runtime/process-files.js')
    const {softwareVersion} = await import('../runtime/software.js')
    const outcomes = await processFiles({
      inputs,
      outDir: flags.out,
      workflow,
      steps: [...new Set(steps.map((s) => STEP_ALIASES[s]))],
      cpuThreads: flags.threads,
      software: softwareVersion(),
    }).catch((error: Error) => {
      if (error.name === 'BindingError') this.error(error.message, {exit: 2})
      throw error
    })
    for (const o of outcomes) process.stdout.write(`${flags.json ? JSON.stringify(o) : describeOutcome(o)}\n`)
    if (outcomes.some((o) => !o.ok)) this.exit(1)
  }
}
