import {describe, expect, it} from 'vitest'
import {halfWidth, realFft2D, spectrumLength} from './fft.js'

function randomImage(n: number, seed: number): Float32Array {
  let state = seed
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648
    out[i] = state / 2147483648 - 0.5
  }
  return out
}

/** Direct 2D DFT in the half-complex layout: row j = ky (wrapped), column i = kx <= width/2. */
function directHalfComplexDft(image: Float32Array, width: number, height: number): Float64Array {
  const hw = halfWidth(width)
  const out = new Float64Array(2 * hw * height)
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < hw; i++) {
      let re = 0, im = 0
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const angle = -2 * Math.PI * (((i * x) % width) / width + ((j * y) % height) / height)
          const v = image[y * width + x]
          re += v * Math.cos(angle)
          im += v * Math.sin(angle)
        }
      }
      out[2 * (j * hw + i)] = re
      out[2 * (j * hw + i) + 1] = im
    }
  }
  return out
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('realFft2D', () => {
  // Even/odd widths and heights, primes, and a prime (67) that goes through Bluestein.
  const sizes: Array<[number, number]> = [[1, 1], [2, 3], [6, 4], [7, 5], [12, 10], [31, 11], [64, 64], [67, 6], [10, 67], [44, 31]]
  for (const [width, height] of sizes) {
    it(`forward matches the direct DFT and inverse round-trips for ${width}x${height}`, () => {
      const image = randomImage(width * height, width * 1000 + height)
      const fft = realFft2D(width, height)
      const spectrum = fft.forward(image)
      expect(spectrum.length).toBe(spectrumLength(width, height))
      const expected = directHalfComplexDft(image, width, height)
      // Float32 storage: errors scale with sqrt(N) times the value magnitude (~ sqrt(N) / 3).
      expect(maxAbsDiff(spectrum, expected)).toBeLessThan(1e-5 * width * height)
      const back = fft.inverse(spectrum)
      expect(maxAbsDiff(back, image)).toBeLessThan(1e-5)
    })
  }

  it('puts a plane wave in the documented (kx, ky) bin, negative ky wrapped', () => {
    const width = 12, height = 10, kx = 3, ky = -2
    const image = new Float32Array(width * height)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) image[y * width + x] = Math.cos(2 * Math.PI * (kx * x / width + ky * y / height))
    }
    const spectrum = realFft2D(width, height).forward(image)
    const hw = halfWidth(width)
    const row = ky + height
    const at = 2 * (row * hw + kx)
    expect(spectrum[at]).toBeCloseTo((width * height) / 2, 3)
    let rest = 0
    for (let i = 0; i < spectrum.length; i += 2) {
      if (i !== at) rest = Math.max(rest, Math.hypot(spectrum[i], spectrum[i + 1]))
    }
    expect(rest).toBeLessThan(1e-3)
  })

  it('writes into caller buffers and caches plans per size', () => {
    const fft = realFft2D(30, 20)
    expect(realFft2D(30, 20)).toBe(fft)
    const image = randomImage(600, 5)
    const spectrum = new Float32Array(spectrumLength(30, 20))
    const out = new Float32Array(600)
    expect(fft.forward(image, spectrum)).toBe(spectrum)
    expect(fft.inverse(spectrum, out)).toBe(out)
    expect(maxAbsDiff(out, image)).toBeLessThan(1e-5)
  })

  it('round-trips a camera-like non-power-of-two size', () => {
    const width = 360, height = 4092 / 12 // 341 = 11 * 31
    const image = randomImage(width * height, 11)
    const fft = realFft2D(width, height)
    expect(maxAbsDiff(fft.inverse(fft.forward(image)), image)).toBeLessThan(1e-5)
  })

  it('names the wrong argument', () => {
    expect(() => realFft2D(0, 4)).toThrow(/width/)
    expect(() => realFft2D(4, 4).forward(new Float32Array(15))).toThrow(/image has 15 floats, expected 16/)
  })
})
