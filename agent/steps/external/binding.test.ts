// How the workflow's external-program settings reach the adapters: program, GPU request and
// the settings object each call passes (no program runs here).
import {describe, expect, it} from 'vitest'
import {validateWorkflow} from '../../../core/workflow/index.js'
import {bindWorkflow} from '../../pipeline/bindings.js'
import type {MovieRecord} from '../../pipeline/movie.js'
import {workflowGpuIds, workflowJobsPerGpu} from './binding.js'

function workflow(extra: Record<string, unknown>) {
  return validateWorkflow({
    acquisition: {inputFolder: '/data', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    ctf: {program: 'gctf', gpus: [2], timeoutSeconds: 600, extraArgs: ['--do_EPA', '1']},
    picking: {program: 'cryolo', diameterMin: 100, diameterMax: 150, gpus: [0], retries: 3, retryBackoffSeconds: 10, cryolo: {config: '/m/config.json', weights: '/m/w.h5', threshold: 0.25}},
    preview: {enabled: false},
    ...extra,
  })
}

const micrograph: MovieRecord = {
  id: 'a.mrc', path: '/data/a.mrc', foundAt: 0, size: 1, mtimeMs: 0, format: 'mrc', kind: 'micrograph', order: 0, status: 'queued', steps: {},
} as MovieRecord

describe('external bindings from the workflow', () => {
  it("asks the pool for one of the step's own GPUs and passes timeout, extra args and crYOLO files", () => {
    const [, ctf, picking] = bindWorkflow({workflow: workflow({}), revision: 1, outDir: '/out'})
    expect(ctf.resources).toMatchObject({gpu: 1, gpuIds: [2]})
    expect(picking.resources).toMatchObject({gpu: 1, gpuIds: [0]})
    const ctfSettings = ctf.call(micrograph, {}, {cpu: 1, gpuIds: [2]}).parameters.external
    expect(ctfSettings).toMatchObject({gpuIds: [2], timeoutSeconds: 600, extraArgs: ['--do_EPA', '1']})
    const pick = picking.call(micrograph, {}, {cpu: 1, gpuIds: [0]})
    expect(pick.call.entry).toBe('pickParticlesWithCryolo')
    expect(pick.parameters.external).toMatchObject({config: '/m/config.json', weights: '/m/w.h5', threshold: 0.25, timeoutSeconds: 1800, gpuIds: [0]})
  })

  it("carries each step's retry policy", () => {
    const [motion, , picking] = bindWorkflow({workflow: workflow({}), revision: 1, outDir: '/out'})
    expect(picking.retry).toEqual({retries: 3, backoffSeconds: 10})
    expect(motion.retry).toEqual({retries: undefined, backoffSeconds: 0})
  })

  it('collects the GPU ids of every step and shares GPUs only when allowed', () => {
    expect(workflowGpuIds(workflow({motion: {program: 'motioncor2', gpus: [1, 0]}}))).toEqual([0, 1, 2])
    expect(workflowJobsPerGpu(workflow({}))).toBe(1)
    expect(workflowJobsPerGpu(workflow({resources: {allowGpuSharing: true, jobsPerGpu: 3}}))).toBe(3)
  })
})
