/**
 * 2D real FFT in TypeScript (Float64 arithmetic, Float32 storage): the fallback where
 * WebAssembly SIMD is missing, and the reference the PFFFT backend is tested against.
 * Rows: real-to-complex through a half-length complex FFT (even widths). Columns: batched
 * Stockham passes over blocks of columns so the inner loops stream contiguous memory.
 */
import {halfWidth, spectrumLength} from '../half-complex.js'
import {complexFft, type ComplexFft} from './complex-fft.js'
import {checkLength, type RealFft2D} from './real-fft-2d.js'

/** Columns per batched column pass: 16 complex doubles per row of the block fit L1 lines well. */
const COLUMN_BLOCK = 16

export class JsRealFft2D implements RealFft2D {
  private readonly rows: RealRowFft
  private readonly columns: ComplexFft
  private readonly block: Float64Array

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rows = new RealRowFft(width)
    this.columns = complexFft(height)
    this.block = new Float64Array(2 * COLUMN_BLOCK * height)
  }

  forward(image: Float32Array, out?: Float32Array): Float32Array {
    const {width, height} = this
    checkLength('image', image, width * height)
    const spectrum = out ?? new Float32Array(spectrumLength(width, height))
    checkLength('spectrum output', spectrum, spectrumLength(width, height))
    const rowFloats = 2 * halfWidth(width)
    for (let y = 0; y < height; y++) {
      this.rows.forward(image, y * width, spectrum, y * rowFloats)
    }
    this.transformColumns(spectrum, false)
    return spectrum
  }

  inverse(spectrum: Float32Array, out?: Float32Array): Float32Array {
    const {width, height} = this
    checkLength('spectrum', spectrum, spectrumLength(width, height))
    const image = out ?? new Float32Array(width * height)
    checkLength('image output', image, width * height)
    this.transformColumns(spectrum, true)
    const rowFloats = 2 * halfWidth(width)
    const scale = 1 / height
    for (let y = 0; y < height; y++) {
      this.rows.inverse(spectrum, y * rowFloats, image, y * width, scale)
    }
    return image
  }

  /** Complex FFT along y of every half-complex column, in place, a block of columns at a time. */
  private transformColumns(spectrum: Float32Array, inverse: boolean): void {
    const {height, block} = this
    const columns = halfWidth(this.width)
    const rowFloats = 2 * columns
    for (let c0 = 0; c0 < columns; c0 += COLUMN_BLOCK) {
      const batch = Math.min(COLUMN_BLOCK, columns - c0)
      const span = 2 * batch
      for (let y = 0; y < height; y++) {
        const from = y * rowFloats + 2 * c0
        const to = y * span
        for (let t = 0; t < span; t++) block[to + t] = spectrum[from + t]
      }
      this.columns.transform(block, inverse, batch)
      for (let y = 0; y < height; y++) {
        const to = y * rowFloats + 2 * c0
        const from = y * span
        for (let t = 0; t < span; t++) spectrum[to + t] = block[from + t]
      }
    }
  }
}

/**
 * Real 1D FFT of one row. Even widths pack pairs of reals into a half-length complex FFT and
 * split the result; odd widths run a full-length complex FFT.
 */
class RealRowFft {
  private readonly fft: ComplexFft
  private readonly buffer: Float64Array
  /** exp(-2 pi i k / width), k <= width / 2 (even widths only). */
  private readonly twiddles: Float64Array
  private readonly half: number

  constructor(readonly width: number) {
    const even = width % 2 === 0
    this.half = even ? width / 2 : width
    this.fft = complexFft(this.half)
    this.buffer = new Float64Array(2 * this.half)
    this.twiddles = new Float64Array(even ? 2 * (this.half + 1) : 0)
    if (even) {
      for (let k = 0; k <= this.half; k++) {
        const angle = (-2 * Math.PI * k) / width
        this.twiddles[2 * k] = Math.cos(angle)
        this.twiddles[2 * k + 1] = Math.sin(angle)
      }
    }
  }

  forward(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number): void {
    const {width, buffer, half} = this
    if (width % 2 === 1) {
      for (let i = 0; i < width; i++) {
        buffer[2 * i] = src[srcAt + i]
        buffer[2 * i + 1] = 0
      }
      this.fft.transform(buffer, false)
      for (let t = 0; t < 2 * halfWidth(width); t++) dst[dstAt + t] = buffer[t]
      return
    }
    for (let t = 0; t < width; t++) buffer[t] = src[srcAt + t]
    this.fft.transform(buffer, false)
    const tw = this.twiddles
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k
      const b = k === 0 ? 0 : half - k
      const ar = buffer[2 * a], ai = buffer[2 * a + 1]
      const br = buffer[2 * b], bi = buffer[2 * b + 1]
      // Even part E = (Z_k + conj Z_{h-k}) / 2, odd part O = (Z_k - conj Z_{h-k}) / 2i.
      const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi)
      const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br)
      const wr = tw[2 * k], wi = tw[2 * k + 1]
      dst[dstAt + 2 * k] = er + or * wr - oi * wi
      dst[dstAt + 2 * k + 1] = ei + or * wi + oi * wr
    }
  }

  /** Writes width reals, multiplied by scale / width. */
  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void {
    const {width, buffer, half} = this
    const s = scale / width
    if (width % 2 === 1) {
      const last = halfWidth(width) - 1
      for (let k = 0; k <= last; k++) {
        buffer[2 * k] = src[srcAt + 2 * k]
        buffer[2 * k + 1] = k === 0 ? 0 : src[srcAt + 2 * k + 1]
        if (k > 0) {
          buffer[2 * (width - k)] = src[srcAt + 2 * k]
          buffer[2 * (width - k) + 1] = -src[srcAt + 2 * k + 1]
        }
      }
      this.fft.transform(buffer, true)
      for (let i = 0; i < width; i++) dst[dstAt + i] = s * buffer[2 * i]
      return
    }
    const tw = this.twiddles
    for (let k = 0; k < half; k++) {
      // DC and Nyquist are real for a real image: their imaginary parts are ignored.
      const xr = src[srcAt + 2 * k], xi = k === 0 ? 0 : src[srcAt + 2 * k + 1]
      const yr = src[srcAt + 2 * (half - k)], yi = k === 0 ? 0 : -src[srcAt + 2 * (half - k) + 1] // conj X_{h-k}
      const er = xr + yr, ei = xi + yi
      const dr = xr - yr, di = xi - yi
      // O = D * conj(w^k); Z = E + i O (both without the 1/2, folded into s).
      const wr = tw[2 * k], wi = tw[2 * k + 1]
      const or = dr * wr + di * wi, oi = di * wr - dr * wi
      buffer[2 * k] = er - oi
      buffer[2 * k + 1] = ei + or
    }
    this.fft.transform(buffer, true)
    // Each Z carried a factor 2 (no 1/2 above) and the half-length inverse a factor width / 2.
    for (let t = 0; t < width; t++) dst[dstAt + t] = s * buffer[t]
  }
}
