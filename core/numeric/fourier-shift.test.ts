import {describe, expect, it} from 'vitest'
import {realFft2D} from './fft.js'
import {fourierShift} from './fourier-shift.js'

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

function gaussian(width: number, height: number, cx: number, cy: number, sigma: number): Float32Array {
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma))
  }
  return out
}

function shifted(image: Float32Array, width: number, height: number, dx: number, dy: number): Float32Array {
  const fft = realFft2D(width, height)
  const spectrum = fft.forward(image)
  fourierShift(spectrum, width, height, dx, dy)
  return fft.inverse(spectrum)
}

describe('fourierShift', () => {
  it('rolls an image exactly by whole pixels, in +x columns and +y rows', () => {
    const w = 9, h = 6
    const image = new Float32Array(w * h).map((_, i) => Math.cos(i * 0.9) * (1 + (i % 4)))
    const out = shifted(image, w, h, 2, -1)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const from = ((y + 1) % h) * w + ((x - 2 + w) % w)
        expect(out[y * w + x]).toBeCloseTo(image[from], 4)
      }
    }
  })

  it('moves a smooth blob by a sub-pixel amount (even and odd sizes)', () => {
    for (const [w, h] of [[32, 24], [33, 25]]) {
      const out = shifted(gaussian(w, h, 15, 11, 2.5), w, h, 1.3, -0.6)
      expect(maxAbsDiff(out, gaussian(w, h, 16.3, 10.4, 2.5))).toBeLessThan(1e-4)
    }
  })

  it('undoes itself and leaves the spectrum alone for a zero shift', () => {
    const w = 20, h = 14
    const fft = realFft2D(w, h)
    const spectrum = fft.forward(gaussian(w, h, 8, 6, 2))
    const copy = spectrum.slice()
    fourierShift(spectrum, w, h, 0, 0)
    expect(spectrum).toEqual(copy)
    fourierShift(spectrum, w, h, 0.37, 2.2)
    fourierShift(spectrum, w, h, -0.37, -2.2)
    expect(maxAbsDiff(spectrum, copy)).toBeLessThan(1e-5)
  })

  it('rejects non-finite shifts and wrong sizes', () => {
    expect(() => fourierShift(new Float32Array(24), 4, 4, Number.NaN, 0)).toThrow(/finite/)
    expect(() => fourierShift(new Float32Array(7), 4, 4, 1, 0)).toThrow(/fourierShift spectrum has 7 floats/)
  })
})
