import {describe, expect, it} from 'vitest'
import {realFft2D} from './fft.js'
import {applyBFactor, bFactorWeights, highPassWeights, lowPassFilter, lowPassWeights, pixelBFactor} from './filters.js'
import {halfWidth} from './half-complex.js'

function gaussian(width: number, height: number, cx: number, cy: number, sigma: number): Float32Array {
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma))
  }
  return out
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('B-factor filter (exp(-B k^2), B in pixel^2)', () => {
  it('widens a Gaussian blob by sigma^2 += B / (2 pi^2) on a non-square image', () => {
    const w = 64, h = 48, sigma = 2, bfactor = 150
    const fft = realFft2D(w, h)
    const spectrum = fft.forward(gaussian(w, h, 30, 22, sigma))
    applyBFactor(spectrum, w, h, bfactor)
    const out = fft.inverse(spectrum)
    const sigma2 = sigma * sigma + bfactor / (2 * Math.PI * Math.PI)
    // The 2D integral is preserved, so the peak drops by sigma^2 / sigma'^2.
    const expected = gaussian(w, h, 30, 22, Math.sqrt(sigma2)).map((v) => (v * sigma * sigma) / sigma2)
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-4)
  })

  it('is 1 at the origin, exp(-B/4) at the Nyquist of each axis, and sharpens for B < 0', () => {
    const w = 10, h = 8, hw = halfWidth(w)
    const weights = bFactorWeights(w, h, 40)
    expect(weights[0]).toBe(1)
    expect(weights[hw - 1]).toBeCloseTo(Math.exp(-10), 6) // kx = 5 of 10
    expect(weights[(h / 2) * hw]).toBeCloseTo(Math.exp(-10), 6) // ky = 4 of 8
    expect(bFactorWeights(w, h, -40)[hw - 1]).toBeCloseTo(Math.exp(10), 1)
  })

  it('converts crystallographic A^2 to pixel^2', () => {
    // exp(-B_A s^2 / 4) at s = 1 / (2 p) (Nyquist) must equal exp(-B_px * 0.25).
    const p = 1.2, bA = 100
    expect(Math.exp(-pixelBFactor(bA, p) * 0.25)).toBeCloseTo(Math.exp((-bA * (1 / (2 * p)) ** 2) / 4), 12)
    expect(() => pixelBFactor(1, 0)).toThrow(/pixel size/)
  })
})

describe('low- and high-pass filters', () => {
  it('keeps the waves below a hard cutoff and removes the ones above', () => {
    const w = 32, h = 24
    const low = (x: number, y: number): number => Math.cos((2 * Math.PI * (2 * x)) / w + (2 * Math.PI * y) / h)
    const high = (x: number, y: number): number => Math.cos((2 * Math.PI * (10 * x)) / w)
    const image = new Float32Array(w * h)
    const expected = new Float32Array(w * h)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        image[y * w + x] = low(x, y) + high(x, y)
        expected[y * w + x] = low(x, y)
      }
    }
    const fft = realFft2D(w, h)
    const spectrum = fft.forward(image)
    lowPassFilter(spectrum, w, h, 0.2) // low is at 0.08 cycles/pixel, high at 0.3125
    expect(maxAbsDiff(fft.inverse(spectrum), expected)).toBeLessThan(1e-4)
  })

  it('has a raised-cosine edge with 0.5 at the cutoff, and high-pass is its complement', () => {
    const w = 40, h = 40, hw = halfWidth(w)
    const lowW = lowPassWeights(w, h, 0.25, {edgeWidth: 0.1})
    const highW = highPassWeights(w, h, 0.25, {edgeWidth: 0.1})
    expect(lowW[10]).toBeCloseTo(0.5, 6) // kx = 10 of 40 = 0.25 cycles/pixel
    expect(lowW[7]).toBe(1) // 0.175 < 0.2
    expect(lowW[12]).toBeCloseTo(0.5 + 0.5 * Math.cos((Math.PI * 0.1) / 0.1), 6)
    expect(lowW[14]).toBe(0) // 0.35 >= 0.3
    for (let i = 0; i < hw * h; i++) expect(lowW[i] + highW[i]).toBeCloseTo(1, 6)
    expect(() => lowPassWeights(w, h, -1)).toThrow(/cutoff/)
  })
})
