// A workflow bound while the agent runs (agent start) sets how many runs share one GPU.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LocalState} from './local-state.js'
import {Pipeline, UnrunnableStepError, type StepBinding, type StepExecutor} from './pipeline.js'
import {ResourcePool, type Grant} from './resources.js'

/** Holds every call until released, remembering the GPU ids each was granted. */
function heldExecutor() {
  const held: {gpuIds: number[]; release: () => void}[] = []
  const executor: StepExecutor = {
    run: (call) => new Promise((resolve) => held.push({gpuIds: call.args[0] as number[], release: () => resolve({})})),
  }
  return {held, executor}
}

function gpuStep(version: number): StepBinding {
  return {
    name: 'motion',
    program: 'motioncor2',
    version,
    applies: () => true,
    resources: {cpu: 1, gpu: 1},
    call: (_movie, _results, grant: Grant) => ({call: {module: 'unused', entry: 'unused', args: [grant.gpuIds]}, parameters: {}}),
  }
}

describe('Pipeline.rebind with GPU sharing', () => {
  it('runs more movies on one GPU once a workflow allows sharing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-sharing-'))
    const state = LocalState.open(join(dir, 'state'))
    const {held, executor} = heldExecutor()
    const pipeline = new Pipeline({state, steps: [], pool: new ResourcePool(4, [0]), executor, attempts: 1, softwareVersion: 'test'})
    pipeline.rebind([gpuStep(1)], 1)
    for (const id of ['a.mrc', 'b.mrc', 'c.mrc']) pipeline.add({id, path: join(dir, id), foundAt: 0, size: 0, mtimeMs: 0, format: 'mrc', kind: 'movie'})
    expect(pipeline.counts().running).toBe(1)
    pipeline.rebind([gpuStep(2)], 2)
    expect(pipeline.counts().running).toBe(2)
    expect(held.map((h) => h.gpuIds)).toEqual([[0], [0]])
    state.close()
  })

  it('refuses a workflow whose steps need GPUs the agent lacks without changing the sharing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-sharing-'))
    const state = LocalState.open(join(dir, 'state'))
    const pool = new ResourcePool(4, [0])
    const pipeline = new Pipeline({state, steps: [], pool, executor: heldExecutor().executor, attempts: 1, softwareVersion: 'test'})
    const needsGpu1 = {...gpuStep(1), resources: {cpu: 1, gpu: 1, gpuIds: [1]}}
    expect(() => pipeline.rebind([needsGpu1], 3)).toThrow(/of its ids 1 but the agent has 0/)
    expect(pool.jobsPerGpu).toBe(1)
    state.close()
  })

  it('names the step that needs GPUs when the agent has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-sharing-'))
    const state = LocalState.open(join(dir, 'state'))
    const pipeline = new Pipeline({state, steps: [], pool: new ResourcePool(4, []), executor: heldExecutor().executor, attempts: 1, softwareVersion: 'test'})
    let refusal: unknown
    try {
      pipeline.rebind([gpuStep(1)])
    } catch (error) {
      refusal = error
    }
    expect(refusal).toBeInstanceOf(UnrunnableStepError)
    expect(refusal).toMatchObject({step: 'motion', message: 'step motion needs 1 GPU(s) but the agent has 0 of them (start the agent with --gpus)'})
    state.close()
  })
})
