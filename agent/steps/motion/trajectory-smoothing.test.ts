import {describe, expect, it} from 'vitest'
import {posteriorMean, smoothTrajectory} from './trajectory-smoothing.js'
import {gaussian, mulberry32} from './test-support/synthetic-movie.js'

describe('trajectory smoothing', () => {
  it('solves the pentadiagonal system exactly (checked against the dense normal equations)', () => {
    const y = [0, 1.2, 1.9, 3.4, 3.9, 5.3]
    const v = [1, 0.5, 2, 1, 1, 0.3]
    const tau = 0.7
    const {mean} = posteriorMean(y, v, {tau, boost: 0, decay: 1})
    // Residual of (P + D'D/tau^2) m = P y, computed densely.
    const n = y.length
    for (let i = 0; i < n; i++) {
      let lhs = mean[i] / v[i]
      for (let r = 0; r + 2 < n; r++) {
        const d = mean[r] - 2 * mean[r + 1] + mean[r + 2]
        const c = i === r ? 1 : i === r + 1 ? -2 : i === r + 2 ? 1 : 0
        lhs += (c * d) / (tau * tau)
      }
      expect(lhs).toBeCloseTo(y[i] / v[i], 10)
    }
  })

  it('keeps a straight line and reduces noise on a smooth trajectory', () => {
    const rand = mulberry32(3)
    const n = 30
    const truth = Array.from({length: n}, (_, f) => 8 * (1 - Math.exp(-f / 4)) + 0.1 * f)
    const noisy = truth.map((t) => t + gaussian(rand))
    const r = smoothTrajectory([noisy], [noisy.map(() => 1)])
    const err = (a: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - truth[i]) ** 2, 0) / n)
    expect(err(r.values[0])).toBeLessThan(0.6 * err(noisy))
    const line = Array.from({length: n}, (_, f) => 2 + 0.5 * f)
    smoothTrajectory([line], [line.map(() => 1)]).values[0].forEach((v, i) => expect(v).toBeCloseTo(line[i], 6))
  })

  it('leaves precise measurements of a jerky trajectory nearly untouched', () => {
    const jerky = [0, 3, 3.5, 7, 7.2, 11, 11.1, 15]
    const r = smoothTrajectory([jerky], [jerky.map(() => 1e-4)])
    r.values[0].forEach((v, i) => expect(Math.abs(v - jerky[i])).toBeLessThan(0.05))
  })
})

describe('trajectory smoothing with an outlier', () => {
  it('ignores one wrong measurement far off a smooth path', () => {
    const rand = mulberry32(8)
    const truth = Array.from({length: 20}, (_, f) => 6 * (1 - Math.exp(-f / 3)))
    const x = truth.map((t) => t + 0.3 * gaussian(rand))
    const y = truth.map((t) => -t + 0.3 * gaussian(rand))
    x[7] += 20
    const r = smoothTrajectory([x, y], [x.map(() => 0.09), y.map(() => 0.09)])
    expect(Math.abs(r.values[0][7] - truth[7])).toBeLessThan(0.5)
    expect(Math.abs(r.values[1][7] + truth[7])).toBeLessThan(0.5)
  })
})
