import {describe, expect, it} from 'vitest'
import {frameGroups, interpolateGroupShifts} from './frame-groups.js'

describe('frame groups', () => {
  it('spreads the remainder over the last groups, never the first (RELION)', () => {
    expect(frameGroups(10, 3).map((g) => g.size)).toEqual([3, 3, 4])
    expect(frameGroups(14, 3).map((g) => g.size)).toEqual([3, 3, 4, 4])
    expect(frameGroups(6, 1).map((g) => g.start)).toEqual([0, 1, 2, 3, 4, 5])
  })
  it('interpolates linear motion exactly, re-referenced to frame 0', () => {
    const groups = frameGroups(12, 3)
    // Group shifts of a motion 0.5 px / frame: a group's shift is its mean frame's.
    const shifts = groups.map((g) => [0.5 * (g.start + (g.size - 1) / 2) + 7, -0.25 * (g.start + (g.size - 1) / 2)] as [number, number])
    const frames = interpolateGroupShifts(groups, shifts, 12)
    frames.forEach(([x, y], f) => {
      expect(x).toBeCloseTo(0.5 * f, 10)
      expect(y).toBeCloseTo(-0.25 * f, 10)
    })
  })
})
