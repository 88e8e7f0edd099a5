// Which workflow templates can run with the programs found here (agent doctor's diagnosis).
import {listTemplates, readWorkflowDocument, resolveWorkflowFile} from '../../core/workflow/index.js'

export interface TemplateVerdict {
  template: string
  canRun: boolean
  /** What is missing, when it cannot run. */
  problems: string[]
}

export async function templateVerdicts(): Promise<TemplateVerdict[]> {
  const {diagnose} = await import('../../agent/doctor/diagnose.js')
  const verdicts: TemplateVerdict[] = []
  for (const template of listTemplates()) {
    const file = resolveWorkflowFile(template)
    // GPUs are not listed here: a GPU template runs where the agent has them (agent doctor says).
    const report = await diagnose({gpus: [], workflow: {file, steps: await readWorkflowDocument(file)}})
    const problems = report.workflow?.steps.flatMap((s) => s.problems.filter((p) => !/GPU/i.test(p))) ?? []
    verdicts.push({template, canRun: problems.length === 0, problems})
  }
  return verdicts
}
