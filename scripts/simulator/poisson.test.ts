// Poisson counting: the guide table must give exactly the counts of the inversion it short-cuts,
// and frames counted through it must follow the Poisson pmf at low and moderate means.
import {describe, expect, it} from 'vitest'
import {exposeFrame, sensitivityOf, type IntensityMap} from './exposure.js'
import type {GainReference} from './gain.js'
import {poissonKernel} from './counting/instance.js'
import {createRng, sfc32} from './rng.js'

const TWO_32 = 4294967296

/** Poisson CDF values 0..k in double precision. */
function cdf(lambda: number, k: number): number[] {
  const out: number[] = []
  let p = Math.exp(-lambda)
  let c = p
  for (let i = 0; i <= k; i++) {
    out.push(c)
    p *= lambda / (i + 1)
    c += p
  }
  return out
}

describe('the counting kernel\'s guide table', () => {
  const refineSeed = createRng(12).state()
  const poisson = poissonKernel()

  it('equals the exact inversion of the 32-bit uniform it builds, for random means, and near CDF steps', () => {
    const s = createRng(11).state()
    let mismatches = 0
    let refined = 0
    const check = (lambda: number, half: number) => {
      // The low 16 bits the call takes from the refine stream if its guide cell is ambiguous.
      poisson.refine.set(refineSeed)
      const u = (half * 65536 + (sfc32(refineSeed.slice()) >>> 16)) / TWO_32
      if (poisson.countFromHalf(lambda, half) !== poisson.poissonByInversion(lambda, u)) mismatches++
      if (poisson.refine[3] !== refineSeed[3]) refined++
    }
    // Means as the kernel computes them (float32).
    for (let i = 0; i < 200000; i++) check(Math.fround((sfc32(s) / TWO_32) * 40), sfc32(s) >>> 16)
    // Uniforms whose top 16 bits sit at or next to every CDF step, where a guide cell could be wrong.
    for (let i = 0; i < 2000; i++) {
      const lambda = Math.fround((sfc32(s) / TWO_32) * 12)
      for (const step of cdf(lambda, 30)) {
        const at = Math.floor(step * 65536)
        for (let d = -2; d <= 2; d++) if (at + d >= 0 && at + d < 65536) check(lambda, at + d)
      }
    }
    expect(mismatches).toBe(0)
    // The refinement path is exercised (ambiguous cells and means past the table).
    expect(refined).toBeGreaterThan(1000)
  })

  it('counts nothing for zero, negative and NaN means, and the inversion is a CDF step function', () => {
    for (const lambda of [0, -3, NaN]) for (const half of [0, 0x8000, 0xffff]) expect(poisson.countFromHalf(lambda, half)).toBe(0)
    const [c0, c1] = cdf(2.5, 1)
    expect(poisson.poissonByInversion(2.5, c0 * 0.999)).toBe(0)
    expect(poisson.poissonByInversion(2.5, c0 * 1.001)).toBe(1)
    expect(poisson.poissonByInversion(2.5, c1 * 1.001)).toBe(2)
    // Saturates at MAX_COUNT instead of running on.
    expect(poisson.poissonByInversion(5000, 0.5)).toBe(poisson.maxCount)
  })
})

describe('exposeFrame counts', () => {
  const size = 256
  const gain: GainReference = {width: size, height: size, gain: new Float32Array(size * size).fill(1), hotPixels: new Uint32Array(0), deadPixels: new Uint32Array(0), hotRate: 0}
  const map: IntensityMap = {data: new Float32Array((size + 8) ** 2).fill(1), width: size + 8, height: size + 8, margin: 4}

  /** Chi-square of the count histogram against the pmf: consecutive counts share a bin until it expects >= 5. */
  function chiSquare(counts: Float32Array, lambda: number): {chi2: number; df: number} {
    const n = counts.length
    const top = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 12)
    const histogram = new Float64Array(top + 1)
    for (const v of counts) histogram[Math.min(v, top)]++
    const bins: {observed: number; expected: number}[] = []
    let open = {observed: 0, expected: 0}
    let p = Math.exp(-lambda)
    for (let k = 0; k <= top; k++) {
      if (k > 0) p *= lambda / k
      open.observed += histogram[k]
      open.expected += n * p
      if (open.expected >= 5) {
        bins.push(open)
        open = {observed: 0, expected: 0}
      }
    }
    // The last bin takes the tail (what never reached 5 expected, and counts past `top`).
    const last = bins[bins.length - 1]
    last.observed += open.observed
    last.expected = n - bins.slice(0, -1).reduce((e, b) => e + b.expected, 0)
    return {chi2: bins.reduce((c, b) => c + (b.observed - b.expected) ** 2 / b.expected, 0), df: bins.length - 1}
  }

  for (const lambda of [0.3, 1, 3, 8]) {
    it(`follows the Poisson pmf at mean ${lambda} (mean, variance, chi-square)`, () => {
      const f = exposeFrame(map, {global: [[0, 0]]}, sensitivityOf(gain), gain, {electronsPerPixel: lambda, frame: 0}, createRng(21, String(lambda)))
      const mean = f.reduce((s, v) => s + v, 0) / f.length
      const variance = f.reduce((s, v) => s + (v - mean) ** 2, 0) / f.length
      // 65536 draws: the standard error of the mean is sqrt(lambda / n).
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / f.length))
      expect(Math.abs(variance - lambda) / lambda).toBeLessThan(0.04)
      const {chi2, df} = chiSquare(f, lambda)
      // Wilson-Hilferty 99.9 % point of chi-square(df).
      const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3
      expect(df).toBeGreaterThanOrEqual(2)
      expect(chi2).toBeLessThan(critical)
    })
  }

  it('rejects a shifted distribution (the chi-square check has power)', () => {
    const f = exposeFrame(map, {global: [[0, 0]]}, sensitivityOf(gain), gain, {electronsPerPixel: 3.1, frame: 0}, createRng(21, '3'))
    const {chi2, df} = chiSquare(f, 3)
    expect(chi2).toBeGreaterThan(df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3)
  })
})
