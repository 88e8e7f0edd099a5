import {describe, expect, it} from 'vitest'
import {driftTrajectory} from './trajectory.js'

describe('driftTrajectory', () => {
  it('is minus the applied shifts, from frame 1', () => {
    expect(driftTrajectory([[0, 0], [-1, 0.5], [-3, 2]])).toEqual([[0, 0], [1, -0.5], [3, -2]])
    expect(driftTrajectory([[1, 1], [0, 1]])).toEqual([[0, 0], [1, 0]])
    expect(driftTrajectory([])).toEqual([])
  })
})
