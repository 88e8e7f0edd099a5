import {describe, expect, it} from 'vitest'
import {criticalExposure, doseWeightsAt, doseWeightTable, framesEndDose, tableBin, voltageDoseFactor} from './dose-weight.js'

describe('Grant & Grigorieff dose weighting', () => {
  it('has the published critical exposure (0.245 s^-1.665 + 2.81)', () => {
    // At 1/4 A^-1 (4 A): 0.245 * 4^1.665 + 2.81
    expect(criticalExposure(0.25)).toBeCloseTo(0.245 * Math.pow(4, 1.665) + 2.81, 10)
    expect(criticalExposure(0.1)).toBeGreaterThan(criticalExposure(0.3))
  })

  it('counts the dose at the end of each frame and scales it for lower voltages', () => {
    expect(framesEndDose([1, 2, 3], 1.5, 2, 300)).toEqual([3.5, 5, 6.5])
    expect(framesEndDose([3], 1, 0, 200)[0]).toBeCloseTo(3 / 0.8, 12)
    expect(voltageDoseFactor(100)).toBeCloseTo(1 / 0.64, 12)
    expect(() => voltageDoseFactor(120)).toThrow(/100, 200 or 300/)
  })

  it('normalises the weights at every frequency (sum of squares 1) and favours early frames', () => {
    const doses = framesEndDose([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 2, 0, 300)
    const w = new Float64Array(doses.length)
    for (const s of [0.02, 0.1, 0.25, 0.4]) {
      doseWeightsAt(s, doses, w)
      expect(w.reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 10)
      for (let f = 1; f < w.length; f++) expect(w[f]).toBeLessThan(w[f - 1])
    }
    // High resolution is dominated by the first frames far more than low resolution.
    doseWeightsAt(0.4, doses, w)
    const late = w[19] / w[0]
    doseWeightsAt(0.05, doses, w)
    expect(late).toBeLessThan(w[19] / w[0])
  })

  it('weights every frame equally at zero frequency', () => {
    const w = new Float64Array(4)
    doseWeightsAt(0, [1, 2, 3, 4], w)
    for (const v of w) expect(v).toBeCloseTo(0.5, 12)
  })

  it('tabulates the weights finely enough to match the direct formula', () => {
    const doses = framesEndDose([1, 2, 3, 4, 5], 3, 1, 300)
    const table = doseWeightTable(200, 100, 1.2, doses)
    const direct = new Float64Array(5)
    for (const [kx, ky] of [[3, 4], [37, -20], [100, 50]]) {
      const s = Math.hypot(kx / 200, ky / 100) / 1.2
      doseWeightsAt(s, doses, direct)
      const b = tableBin(table, kx, ky, 200, 100)
      for (let f = 0; f < 5; f++) expect(table.weights[f * table.bins + b]).toBeCloseTo(direct[f], 3)
    }
  })
})
