import {describe, expect, it} from 'vitest'
import {realFft2D} from './fft.js'
import {halfWidth, rowFrequency} from './half-complex.js'
import {powerSpectrum, radialAverage} from './radial-average.js'

/** Reference: walk the full width x height plane, reading mirrored bins from the half plane. */
function fullPlaneAverage(values: Float32Array, width: number, height: number, shellWidth: number, shells: number): Float64Array {
  const hw = halfWidth(width)
  const sum = new Float64Array(shells), count = new Float64Array(shells)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const kx = rowFrequency(x, width), ky = rowFrequency(y, height)
      const s = Math.round(Math.hypot(kx / width, ky / height) / shellWidth)
      if (s >= shells) continue
      // For even widths x = width/2 gives kx = +width/2, stored directly.
      const b = kx >= 0 ? y * hw + kx : ((height - y) % height) * hw - kx
      sum[s] += values[b]
      count[s]++
    }
  }
  return sum.map((v, s) => (count[s] > 0 ? v / count[s] : 0))
}

describe('radialAverage', () => {
  for (const [w, h] of [[16, 12], [15, 11], [20, 9]]) {
    it(`equals the full-plane shell average for ${w}x${h}`, () => {
      const values = new Float32Array(halfWidth(w) * h).map((_, i) => Math.sin(i * 0.37) + 2)
      // Make the kx = 0 (and even-width Nyquist) columns Hermitian-consistent, as a power spectrum is.
      const hw = halfWidth(w)
      for (const i of w % 2 === 0 ? [0, hw - 1] : [0]) {
        for (let j = 1; j < h; j++) values[((h - j) % h) * hw + i] = values[j * hw + i]
      }
      const profile = radialAverage(values, w, h)
      const expected = fullPlaneAverage(values, w, h, 1 / Math.min(w, h), profile.mean.length)
      for (let s = 0; s < expected.length; s++) expect(profile.mean[s]).toBeCloseTo(expected[s], 5)
    })
  }

  it('counts every full-plane bin once when nothing is cut off', () => {
    for (const [w, h] of [[16, 12], [15, 11]]) {
      const profile = radialAverage(new Float32Array(halfWidth(w) * h).fill(1), w, h, {maxFrequency: 1})
      expect(profile.weight.reduce((a, b) => a + b, 0)).toBe(w * h)
    }
  })

  it('finds a plane wave in the shell of its frequency', () => {
    const w = 32, h = 32
    const image = new Float32Array(w * h)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) image[y * w + x] = Math.cos((2 * Math.PI * (3 * x + 4 * y)) / w)
    const ps = powerSpectrum(realFft2D(w, h).forward(image), w, h)
    const profile = radialAverage(ps, w, h)
    let peak = 0
    for (let s = 1; s < profile.mean.length; s++) if (profile.mean[s] > profile.mean[peak]) peak = s
    expect(peak).toBe(5) // |(3, 4)| = 5 cycles per image
    expect(profile.frequency[peak]).toBeCloseTo(5 / 32, 12)
  })

  it('rejects values of the wrong size', () => {
    expect(() => radialAverage(new Float32Array(3), 4, 4)).toThrow(/expected 12/)
  })
})
