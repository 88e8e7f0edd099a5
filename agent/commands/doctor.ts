// `agent doctor [--workflow FILE] [--json]`: what this machine can run. Exit 0 when the
// workflow (if given) can run here, 1 when not, 2 on a bad workflow file.
import {Command, Flags} from '@oclif/core'

export default class Doctor extends Command {
  static override summary = 'Find the external programs and GPUs, and check a workflow can run here'
  static override description =
    'Looks for MotionCor2/3, relion_run_motioncorr, CTFFIND, Gctf, relion_run_ctffind, relion_autopick and crYOLO (workflow executable settings, ' +
    'RELION_*_EXECUTABLE variables, PATH), asks their versions, lists the GPUs (nvidia-smi), checks SLURM (its commands, slurmctld, the partition) for steps run as jobs and says what a workflow is missing.'
  static override flags = {
    workflow: Flags.string({description: 'workflow file or template name to check'}),
    json: Flags.boolean({description: 'print the report as JSON', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Doctor)
    const {readWorkflowDocument, resolveWorkflowFile, WorkflowError} = await import('../../core/workflow/index.js')
    const {diagnose, formatReport} = await import('../doctor/diagnose.js')
    const {listGpus} = await import('../doctor/gpus.js')
    let workflow
    if (flags.workflow) {
      try {
        const file = resolveWorkflowFile(flags.workflow)
        workflow = {file, steps: await readWorkflowDocument(file)}
      } catch (error) {
        if (error instanceof WorkflowError) this.error(error.message, {exit: 2})
        throw error
      }
    }
    const {gpus, problem} = await listGpus()
    const report = await diagnose({gpus, gpuProblem: problem, workflow})
    process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`)
    if (report.workflow && !report.workflow.canRun) this.exit(1)
  }
}
