import {describe, expect, it} from 'vitest'
import {residualGain} from './residual-gain.js'

const W = 512
const H = 384

/** Shot-noise-like counts around `level` (a fixed LCG, so the test is deterministic). */
function noisySum(level: number, seed = 7): Float32Array {
  let state = seed
  const uniform = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32)
  const out = new Float32Array(W * H)
  for (let i = 0; i < out.length; i++) {
    // Sum of 4 uniforms: roughly normal, sd = sqrt(level) as for Poisson counts.
    const z = (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3)
    out[i] = level + Math.sqrt(level) * z
  }
  return out
}

describe('residual gain', () => {
  it('a well-corrected sum passes Scipion\'s thresholds, even with an illumination gradient', () => {
    const sum = noisySum(40)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) sum[y * W + x] *= 1 + (0.3 * x) / W
    const g = residualGain(sum, W, H)
    // Shot noise of the line means alone gives ~0.01 here: well under 0.04.
    expect(g.std).toBeLessThan(0.02)
    expect(g.percentileRatio).toBeLessThan(1.08)
    expect(g.peakRatio).toBeLessThan(1.08)
  })

  it('column structure left by a wrong gain exceeds std 0.04 and p97.5/p2.5 1.15', () => {
    const sum = noisySum(40)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) sum[y * W + x] *= x % 4 === 0 ? 1.12 : 0.96
    const g = residualGain(sum, W, H)
    expect(g.std).toBeGreaterThan(0.04)
    expect(g.percentileRatio).toBeGreaterThan(1.15)
  })

  it('one hot column gives a high max/p97.5; masked out, it does not', () => {
    const sum = noisySum(40)
    const bad = new Uint8Array(W * H)
    for (let y = 0; y < H; y++) {
      sum[y * W + 100] *= 6
      bad[y * W + 100] = 1
    }
    expect(residualGain(sum, W, H).peakRatio).toBeGreaterThan(4.5)
    expect(residualGain(sum, W, H, bad).peakRatio).toBeLessThan(1.08)
  })
})
