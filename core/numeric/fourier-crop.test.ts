import {describe, expect, it} from 'vitest'
import {realFft2D} from './fft.js'
import {fourierCrop} from './fourier-crop.js'

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

/** Sum of cosines with integer frequencies |kx| <= maxK, |ky| <= maxK: band-limited and periodic. */
function bandLimited(
  width: number,
  height: number,
  maxK: number,
  extra: Array<[number, number, number, number]> = [],
): (x: number, y: number) => number {
  const terms: Array<[number, number, number, number]> = []
  let seed = 3
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647)
  for (let ky = -maxK; ky <= maxK; ky++) {
    for (let kx = 0; kx <= maxK; kx++) terms.push([kx, ky, rand() - 0.5, 2 * Math.PI * rand()])
  }
  terms.push(...extra)
  return (x, y) => {
    let v = 0.25
    for (const [kx, ky, a, p] of terms) v += a * Math.cos((2 * Math.PI * kx * x) / width + (2 * Math.PI * ky * y) / height + p)
    return v
  }
}

function sample(width: number, height: number, f: (x: number, y: number) => number, step = 1): Float32Array {
  const w = width / step, h = height / step
  const out = new Float32Array(w * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = f(x * step, y * step)
  return out
}

describe('fourierCrop', () => {
  it('bins a band-limited image to its exact subsampling (even and odd sizes)', () => {
    for (const [w, h, nw, nh, step] of [[24, 16, 12, 8, 2], [30, 18, 10, 6, 3], [27, 15, 9, 5, 3]]) {
      const f = bandLimited(w, h, 2)
      const spectrum = realFft2D(w, h).forward(sample(w, h, f))
      const cropped = fourierCrop(spectrum, w, h, nw, nh)
      const image = realFft2D(nw, nh).inverse(cropped)
      expect(maxAbsDiff(image, sample(w, h, f, step))).toBeLessThan(1e-4)
    }
  })

  it('folds both signs of the new Nyquist frequency so subsampling stays exact', () => {
    // Components at exactly kx = 6 and ky = -4 are the Nyquist of the 12x8 result.
    const w = 24, h = 16
    const f = bandLimited(w, h, 3, [[6, 1, 0.7, 0.3], [2, -4, 0.4, 1.1], [6, 4, 0.3, 2]])
    const spectrum = realFft2D(w, h).forward(sample(w, h, f))
    const image = realFft2D(12, 8).inverse(fourierCrop(spectrum, w, h, 12, 8))
    expect(maxAbsDiff(image, sample(w, h, f, 2))).toBeLessThan(1e-4)
  })

  it('pads by trigonometric interpolation and crops back to the identity', () => {
    const w = 10, h = 8
    const image = new Float32Array(w * h).map((_, i) => Math.sin(i * 1.7) + (i % 3))
    const spectrum = realFft2D(w, h).forward(image)
    const padded = fourierCrop(spectrum, w, h, 20, 16)
    const fine = realFft2D(20, 16).inverse(padded.slice())
    // Every other fine pixel is an original sample.
    const coarse = new Float32Array(w * h)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) coarse[y * w + x] = fine[2 * y * 20 + 2 * x]
    expect(maxAbsDiff(coarse, image)).toBeLessThan(1e-4)
    expect(maxAbsDiff(fourierCrop(padded, 20, 16, w, h), spectrum)).toBeLessThan(1e-3)
  })

  it('keeps the mean of a constant image and is the identity at the same size', () => {
    const image = new Float32Array(12 * 9).fill(3.5)
    const spectrum = realFft2D(12, 9).forward(image)
    const small = realFft2D(5, 4).inverse(fourierCrop(spectrum, 12, 9, 5, 4))
    for (const v of small) expect(v).toBeCloseTo(3.5, 5)
    expect(maxAbsDiff(fourierCrop(spectrum, 12, 9, 12, 9), spectrum)).toBe(0)
  })

  it('rejects a spectrum of the wrong size, naming it', () => {
    expect(() => fourierCrop(new Float32Array(10), 4, 4, 2, 2)).toThrow(/fourierCrop input spectrum has 10 floats/)
    expect(() => fourierCrop(new Float32Array(24), 4, 4, 0, 2)).toThrow(/newWidth/)
  })
})
