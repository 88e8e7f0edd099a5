/**
 * 2D real FFT in TypeScript (Float64 arithmetic, Float32 storage): the fallback where
 * WebAssembly SIMD is missing, and the reference the PFFFT backend is tested against.
 * Rows: real-to-complex through a half-length complex FFT (even widths). Columns: batched
 * Stockham passes over blocks of columns so the inner loops stream contiguous memory.
 */
import {halfWidth} from '../half-complex.js'
import {complexFft, type ComplexFft} from './complex-fft.js'
import {SeparableRealFft2D, type ColumnPass, type RowTransform} from './real-fft-2d.js'
import {halfLengthTwiddles, hermitianRow, mergeHalfLength, splitHalfLength} from './real-rows.js'

/** Columns per batched column pass: 16 complex doubles per row of the block fit L1 lines well. */
const COLUMN_BLOCK = 16

export class JsRealFft2D extends SeparableRealFft2D {
  constructor(width: number, height: number) {
    super(width, height, new RealRowFft(width), new BlockedColumns(halfWidth(width), height))
  }
}

/** Complex FFT along y of every half-complex column, in place, a block of columns at a time. */
class BlockedColumns implements ColumnPass {
  private readonly fft: ComplexFft
  private readonly block: Float64Array

  constructor(
    private readonly columns: number,
    private readonly height: number,
  ) {
    this.fft = complexFft(height)
    this.block = new Float64Array(2 * COLUMN_BLOCK * height)
  }

  run(spectrum: Float32Array, inverse: boolean): void {
    const {height, block, columns} = this
    const rowFloats = 2 * columns
    for (let c0 = 0; c0 < columns; c0 += COLUMN_BLOCK) {
      const batch = Math.min(COLUMN_BLOCK, columns - c0)
      const span = 2 * batch
      for (let y = 0; y < height; y++) {
        const from = y * rowFloats + 2 * c0
        const to = y * span
        for (let t = 0; t < span; t++) block[to + t] = spectrum[from + t]
      }
      this.fft.transform(block, inverse, batch)
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
class RealRowFft implements RowTransform {
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
    this.twiddles = even ? halfLengthTwiddles(width) : new Float64Array(0)
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
    splitHalfLength(buffer, 0, half, this.twiddles, dst, dstAt)
  }

  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void {
    const {width, buffer, half} = this
    if (width % 2 === 1) {
      hermitianRow(src, srcAt, width, buffer, 0)
      this.fft.transform(buffer, true)
      for (let i = 0; i < width; i++) dst[dstAt + i] = scale * buffer[2 * i]
      return
    }
    mergeHalfLength(src, srcAt, half, this.twiddles, buffer, 0)
    this.fft.transform(buffer, true)
    for (let t = 0; t < width; t++) dst[dstAt + t] = scale * buffer[t]
  }
}
