import type {StepName, Workflow} from '../../core/workflow/index.js'

/** The steps a movie must finish to count as processed, in pipeline order. */
export function requiredSteps(workflow: Workflow): StepName[] {
  return [
    'motion',
    'ctf',
    ...(workflow.picking.enabled ? (['picking'] as const) : []),
    ...(workflow.preview.enabled ? (['preview'] as const) : []),
  ]
}
