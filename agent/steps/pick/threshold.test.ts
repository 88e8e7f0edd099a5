import {describe, expect, it} from 'vitest'
import {chooseThreshold} from './threshold.js'

describe('chooseThreshold', () => {
  const stats = {mean: 1, sigma: 2}
  // Ten strong targets (10..19) above a noise floor that targets and decoys share (1..5).
  const noise = [1, 2, 3, 4, 5]
  const targets = [...noise, ...Array.from({length: 10}, (_, i) => 10 + i)]
  const decoys = [...noise]

  it('stops where the decoys would make the false-discovery estimate exceed the rate', () => {
    const c = chooseThreshold(targets, decoys, stats, {falseDiscoveryRate: 0.1, thresholdAdjust: 0})
    // At 5: 1 decoy / 11 targets = 0.09 <= 0.1; at 4: 2 / 12 = 0.17 > 0.1.
    expect(c.threshold).toBe(5)
    expect(c.estimatedFdr).toBeCloseTo(1 / 11)
    expect(chooseThreshold(targets, decoys, stats, {falseDiscoveryRate: 0.01, thresholdAdjust: 0}).threshold).toBe(10)
  })

  it('falls back to the in-range mean (RELION) and adds the adjustment in sigma', () => {
    expect(chooseThreshold(targets, decoys, stats, {falseDiscoveryRate: null, thresholdAdjust: 0}).threshold).toBe(1)
    expect(chooseThreshold(targets, decoys, stats, {falseDiscoveryRate: null, thresholdAdjust: 1.5}).threshold).toBe(4)
    expect(chooseThreshold(targets, decoys, stats, {falseDiscoveryRate: 0.1, thresholdAdjust: -0.5}).threshold).toBe(4)
    // Without decoys everything above the mean is kept.
    expect(chooseThreshold(targets, [], stats, {falseDiscoveryRate: 0.1, thresholdAdjust: 0}).threshold).toBe(1)
  })

  it('keeps nothing when no threshold reaches the rate', () => {
    const c = chooseThreshold([3, 2, 1], [4, 3, 2, 1], stats, {falseDiscoveryRate: 0.2, thresholdAdjust: 0})
    expect(c.threshold).toBe(Infinity)
  })
})
