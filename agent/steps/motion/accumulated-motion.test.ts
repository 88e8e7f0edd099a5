import {describe, expect, it} from 'vitest'
import {accumulatedMotion} from './accumulated-motion.js'

describe("RELION's accumulated motion", () => {
  const shifts: [number, number][] = Array.from({length: 10}, (_, f) => [3 * f, 4 * f]) // 5 px per frame

  it('sums frame-to-frame steps; steps into frames up to 4 e/A^2 are early', () => {
    const m = accumulatedMotion(shifts, shifts.map((_, f) => f + 1), 1, 0)
    expect(m.total).toBeCloseTo(45, 10)
    // cutoff frame 4: steps into frames 2, 3, 4 are early
    expect(m.early).toBeCloseTo(15, 10)
    expect(m.late).toBeCloseTo(30, 10)
  })
  it('moves the cutoff with dose per frame and pre-exposure', () => {
    const numbers = shifts.map((_, f) => f + 1)
    expect(accumulatedMotion(shifts, numbers, 0.5, 0).early).toBeCloseTo(35, 10) // frames 2..8
    expect(accumulatedMotion(shifts, numbers, 1, 2).early).toBeCloseTo(5, 10) // frame 2 only
  })
  it('uses movie frame numbers when the first frames are skipped', () => {
    const m = accumulatedMotion(shifts.slice(0, 5), [3, 4, 5, 6, 7], 1, 0)
    expect(m.early).toBeCloseTo(5, 10) // only the step into frame 4
  })
})
