import {describe, expect, it} from 'vitest'
import {defaultFftBackend, fastFftSize, halfWidth, realFft2D, spectrumLength, type FftBackend} from './fft.js'

function randomImage(n: number, seed: number): Float32Array {
  let state = seed
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648
    out[i] = state / 2147483648 - 0.5
  }
  return out
}

/**
 * Direct 2D DFT in the half-complex layout: row j = ky (wrapped), column i = kx <= width/2.
 * Separable sums with exact twiddle tables (O(N (width + height)), no FFT involved).
 */
function directHalfComplexDft(image: Float32Array, width: number, height: number): Float64Array {
  const hw = halfWidth(width)
  const table = (n: number): Float64Array => {
    const t = new Float64Array(2 * n)
    for (let k = 0; k < n; k++) {
      t[2 * k] = Math.cos((-2 * Math.PI * k) / n)
      t[2 * k + 1] = Math.sin((-2 * Math.PI * k) / n)
    }
    return t
  }
  const tx = table(width), ty = table(height)
  const rows = new Float64Array(2 * hw * height)
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < hw; i++) {
      let re = 0, im = 0
      for (let x = 0; x < width; x++) {
        const t = (i * x) % width, v = image[y * width + x]
        re += v * tx[2 * t]
        im += v * tx[2 * t + 1]
      }
      rows[2 * (y * hw + i)] = re
      rows[2 * (y * hw + i) + 1] = im
    }
  }
  const out = new Float64Array(2 * hw * height)
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < hw; i++) {
      let re = 0, im = 0
      for (let y = 0; y < height; y++) {
        const t = (j * y) % height, c = ty[2 * t], s = ty[2 * t + 1]
        const ar = rows[2 * (y * hw + i)], ai = rows[2 * (y * hw + i) + 1]
        re += ar * c - ai * s
        im += ar * s + ai * c
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

const backends: FftBackend[] = ['pffft', 'js']

it('fastFftSize picks the next multiple of 32 without prime factors above 5', () => {
  expect(fastFftSize(4092)).toBe(4096)
  expect(fastFftSize(5760)).toBe(5760)
  expect(fastFftSize(818)).toBe(864) // 832 = 2^6 * 13 and 800 < 818
  expect(fastFftSize(1)).toBe(32)
  expect(() => fastFftSize(0)).toThrow(RangeError)
})

it('uses PFFFT (WebAssembly SIMD) by default on Node unless EMSTREAM_FFT_BACKEND says otherwise', () => {
  expect(defaultFftBackend).toBe(process.env.EMSTREAM_FFT_BACKEND || 'pffft')
})

describe.each(backends)('realFft2D, %s backend', (backend) => {
  // Even/odd widths and heights, primes, Bluestein lengths (67; and every non-multiple of 16
  // for pffft), and sizes PFFFT transforms directly (real rows of 64/96/160, columns of 48/64/80).
  const sizes: Array<[number, number]> = [
    [1, 1], [2, 3], [6, 4], [7, 5], [12, 10], [31, 11], [64, 64], [67, 6], [10, 67], [44, 31], [96, 48], [160, 80],
  ]
  for (const [width, height] of sizes) {
    it(`forward matches the direct DFT and inverse round-trips for ${width}x${height}`, () => {
      const image = randomImage(width * height, width * 1000 + height)
      const fft = realFft2D(width, height, backend)
      const spectrum = fft.forward(image)
      expect(spectrum.length).toBe(spectrumLength(width, height))
      const expected = directHalfComplexDft(image, width, height)
      // Float32 storage and arithmetic: errors ~ 1e-7 * log2(N) * |X| with |X| ~ sqrt(N) / 3.
      const n = width * height
      expect(maxAbsDiff(spectrum, expected)).toBeLessThan(1e-6 * Math.sqrt(n) * Math.log2(2 * n))
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
    const spectrum = realFft2D(width, height, backend).forward(image)
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
    const fft = realFft2D(30, 20, backend)
    expect(realFft2D(30, 20, backend)).toBe(fft)
    const image = randomImage(600, 5)
    const spectrum = new Float32Array(spectrumLength(30, 20))
    const out = new Float32Array(600)
    expect(fft.forward(image, spectrum)).toBe(spectrum)
    expect(fft.inverse(spectrum, out)).toBe(out)
    expect(maxAbsDiff(out, image)).toBeLessThan(1e-5)
  })

  it('ignores the imaginary parts a real image cannot have at kx = 0 and the Nyquist column', () => {
    for (const [w, h] of [[12, 10], [64, 48], [9, 7]]) {
      const image = randomImage(w * h, 21)
      const fft = realFft2D(w, h, backend)
      const spectrum = fft.forward(image)
      const hw = halfWidth(w)
      spectrum[1] += 5 // DC
      if (w % 2 === 0) spectrum[2 * (hw - 1) + 1] += 3 // (Nyquist, ky = 0)
      expect(maxAbsDiff(fft.inverse(spectrum), image)).toBeLessThan(1e-5)
    }
  })

  it('accepts spectra that are not 8-byte aligned views', () => {
    const w = 32, h = 16
    const image = randomImage(w * h, 9)
    const fft = realFft2D(w, h, backend)
    const expected = fft.forward(image)
    const storage = new Float32Array(spectrumLength(w, h) + 1)
    const misaligned = storage.subarray(1) // byteOffset 4
    fft.forward(image, misaligned)
    expect(misaligned).toEqual(expected)
    expect(maxAbsDiff(fft.inverse(misaligned), image)).toBeLessThan(1e-5)
  })

  it('round-trips a camera-like non-power-of-two size', () => {
    const width = 360, height = 4092 / 12 // 341 = 11 * 31
    const image = randomImage(width * height, 11)
    const fft = realFft2D(width, height, backend)
    expect(maxAbsDiff(fft.inverse(fft.forward(image)), image)).toBeLessThan(1e-5)
  })

  it('names the wrong argument', () => {
    expect(() => realFft2D(0, 4)).toThrow(/width/)
    expect(() => realFft2D(4, 4, backend).forward(new Float32Array(15))).toThrow(/image has 15 floats, expected 16/)
  })
})
