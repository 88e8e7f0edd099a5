import {describe, expect, it} from 'vitest'
import {scorePicks} from './f1.js'

describe('scorePicks', () => {
  it('matches one-to-one within the radius, closest pairs first', () => {
    const truth: [number, number][] = [[10, 10], [30, 10], [100, 100]]
    // Two picks near the first particle: only one may count; the far one is a false positive.
    const picks: [number, number][] = [[11, 10], [12, 10], [30, 13], [200, 200]]
    const s = scorePicks(picks, truth, 4)
    expect(s.truePositives).toBe(2)
    expect(s.falsePositives).toBe(2)
    expect(s.falseNegatives).toBe(1)
    expect(s.precision).toBeCloseTo(0.5)
    expect(s.recall).toBeCloseTo(2 / 3)
    expect(s.f1).toBeCloseTo(4 / 7)
    expect(s.meanError).toBeCloseTo((1 + 3) / 2)
  })

  it('lets the closer pick have a particle that two picks could match', () => {
    // Pick A is near both particles; greedy-by-distance gives each particle its closest pick.
    const truth: [number, number][] = [[0, 0], [6, 0]]
    const picks: [number, number][] = [[3.5, 0], [0.5, 0]]
    const s = scorePicks(picks, truth, 4)
    expect(s.truePositives).toBe(2)
  })

  it('scores nothing on empty input without dividing by zero', () => {
    expect(scorePicks([], [[1, 1]], 5).f1).toBe(0)
    expect(scorePicks([[1, 1]], [], 5).f1).toBe(0)
  })
})
