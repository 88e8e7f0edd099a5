// For tests and benches that need a valid project workflow but process nothing: the smallest
// one (preview off), validated like any workflow file.
import {validateWorkflow, type Workflow} from './index.js'

export function minimalWorkflow(): Workflow {
  return validateWorkflow({
    acquisition: {inputFolder: '/data', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    picking: {diameterMin: 100, diameterMax: 150},
    preview: {enabled: false},
  })
}
