import {describe, expect, it} from 'vitest'
import {ResourcePool} from './resources.js'

describe('ResourcePool GPUs', () => {
  it('gives concurrent runs distinct GPU ids and none once all are held', () => {
    const pool = new ResourcePool(8, [0, 1])
    const a = pool.take({cpu: 1, gpu: 1})
    const b = pool.take({cpu: 1, gpu: 1})
    expect(new Set([...a.gpuIds, ...b.gpuIds])).toEqual(new Set([0, 1]))
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(false)
    pool.give(a)
    expect(pool.take({cpu: 1, gpu: 1}).gpuIds).toEqual(a.gpuIds)
  })

  it('lets runs share a GPU up to jobsPerGpu, spreading them over the GPUs first', () => {
    const pool = new ResourcePool(8, [0, 1], 2)
    const ids = [1, 2, 3, 4].map(() => pool.take({cpu: 1, gpu: 1}).gpuIds[0])
    expect(ids.slice(0, 2).sort()).toEqual([0, 1])
    expect(ids.sort()).toEqual([0, 0, 1, 1])
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(false)
    expect(pool.inUse()).toEqual({cpu: 4, gpu: 4})
  })

  it('grants only the ids a step may use, and refuses a step whose ids the agent lacks', () => {
    const pool = new ResourcePool(8, [0, 1, 2])
    expect(pool.take({cpu: 1, gpu: 1, gpuIds: [2]}).gpuIds).toEqual([2])
    expect(pool.fits({cpu: 1, gpu: 1, gpuIds: [2]})).toBe(false)
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(true)
    expect(() => pool.clamp({cpu: 1, gpu: 1, gpuIds: [5]})).toThrow(/needs 1 GPU\(s\) of its ids 5 but the agent has 0/)
  })
})

describe('ResourcePool GPU sharing changed while runs hold GPUs', () => {
  it('grants more runs per GPU once raised, and none on a GPU above a lowered limit until it drains', () => {
    const pool = new ResourcePool(8, [0])
    const first = pool.take({cpu: 1, gpu: 1})
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(false)
    pool.setJobsPerGpu(3)
    const more = [pool.take({cpu: 1, gpu: 1}), pool.take({cpu: 1, gpu: 1})]
    expect(more.map((g) => g.gpuIds)).toEqual([[0], [0]])
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(false)
    pool.setJobsPerGpu(1)
    pool.give(more[0])
    pool.give(more[1])
    expect(pool.fits({cpu: 1, gpu: 1})).toBe(false)
    pool.give(first)
    expect(pool.take({cpu: 1, gpu: 1}).gpuIds).toEqual([0])
    expect(() => pool.setJobsPerGpu(0)).toThrow(/jobs per GPU must be a positive integer, got 0/)
  })
})
