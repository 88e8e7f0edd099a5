/**
 * 2D real FFT on PFFFT (WebAssembly SIMD): real row transforms, then complex column transforms
 * on blocks of columns gathered into the PFFFT heap. Lengths PFFFT cannot do directly go
 * through Bluestein (pffft-complex.ts), so every size works; the spectrum stays a plain
 * Float32Array in the team's half-complex layout.
 */
import {halfWidth} from '../half-complex.js'
import {BluesteinKernel, heapComplexFft, type HeapComplexFft} from './pffft-complex.js'
import {
  PFFFT_BACKWARD,
  PFFFT_FORWARD,
  PFFFT_REAL,
  allocFloats,
  pffftSupportsComplex,
  pffftSupportsReal,
  type PffftModule,
} from './pffft-module.js'
import {SeparableRealFft2D, type ColumnPass, type RowTransform} from './real-fft-2d.js'
import {halfLengthTwiddles, hermitianRow, mergeHalfLength, splitHalfLength} from './real-rows.js'

/** Columns gathered per block: each image row contributes one contiguous run of 16 complex values. */
const COLUMN_BLOCK = 16
/**
 * Extra floats between gathered columns: with power-of-two heights the column vectors would be
 * a power of two apart and the 16 write streams of the gather would evict each other from the
 * same cache sets. 16 floats (64 bytes) keep PFFFT's 16-byte alignment.
 */
const COLUMN_PAD = 16

export class PffftRealFft2D extends SeparableRealFft2D {
  constructor(module: PffftModule, width: number, height: number) {
    const rows = pffftSupportsReal(width)
      ? new RealRows(module, width)
      : width % 2 === 0
        ? new HalfLengthRows(module, width)
        : new ComplexRows(module, width)
    const columns = halfWidth(width)
    super(width, height, rows, pffftSupportsComplex(height) ? new DirectColumns(module, columns, height) : new BluesteinColumns(module, columns, height))
  }
}

/**
 * Lengths PFFFT does directly: gather a block of columns into the heap (one vector each),
 * transform, scatter back. Complex values move as single Float64 words (a bit copy of the two
 * floats; only a NaN imaginary part could have its payload changed), halving the copy work.
 */
class DirectColumns implements ColumnPass {
  private readonly fft: HeapComplexFft
  private readonly block: number
  /** Complex values from one gathered column to the next. */
  private readonly stride: number

  constructor(
    private readonly module: PffftModule,
    private readonly columns: number,
    private readonly height: number,
  ) {
    this.fft = heapComplexFft(module, height)
    this.stride = height + COLUMN_PAD / 2
    this.block = allocFloats(module, 2 * this.stride * COLUMN_BLOCK)
  }

  run(spectrum: Float32Array, inverse: boolean): void {
    const {height, module, columns, stride} = this
    // Float64 views need 8-byte alignment: a misaligned subarray is worked on as a copy.
    const aligned = spectrum.byteOffset % 8 === 0 ? spectrum : spectrum.slice()
    const words = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.length / 2)
    const base = this.block >> 3
    for (let c0 = 0; c0 < columns; c0 += COLUMN_BLOCK) {
      const batch = Math.min(COLUMN_BLOCK, columns - c0)
      // The heap can be replaced when another plan grows the memory: take the view per block.
      const heap = new Float64Array(module.HEAPF32.buffer)
      for (let y = 0; y < height; y++) {
        const from = y * columns + c0
        let to = base + y
        for (let b = 0; b < batch; b++, to += stride) heap[to] = words[from + b]
      }
      for (let b = 0; b < batch; b++) this.fft.transform(this.block + 8 * b * stride, inverse)
      const after = new Float64Array(module.HEAPF32.buffer)
      for (let y = 0; y < height; y++) {
        const to = y * columns + c0
        let from = base + y
        for (let b = 0; b < batch; b++, from += stride) words[to + b] = after[from]
      }
    }
    if (aligned !== spectrum) spectrum.set(aligned)
  }
}

/**
 * Other lengths, by Bluestein: the chirp multiplications are fused into the gather and the
 * scatter (the chirp depends only on the row), leaving PFFFT the convolution of each column.
 */
class BluesteinColumns implements ColumnPass {
  private readonly kernel: BluesteinKernel
  private readonly block: number
  /** Floats from one gathered column to the next: the convolution length plus padding. */
  private readonly stride: number

  constructor(
    private readonly module: PffftModule,
    private readonly columns: number,
    private readonly height: number,
  ) {
    this.kernel = new BluesteinKernel(module, height)
    this.stride = 2 * this.kernel.m + COLUMN_PAD
    this.block = allocFloats(module, this.stride * COLUMN_BLOCK)
  }

  run(spectrum: Float32Array, inverse: boolean): void {
    const {height, module, columns, stride} = this
    const {chirp} = this.kernel
    const rowFloats = 2 * columns
    const base = this.block >> 2
    // The inverse is conj(forward(conj(x))).
    const conj = inverse ? -1 : 1
    for (let c0 = 0; c0 < columns; c0 += COLUMN_BLOCK) {
      const batch = Math.min(COLUMN_BLOCK, columns - c0)
      const heap = module.HEAPF32
      for (let y = 0; y < height; y++) {
        const cr = chirp[2 * y], ci = chirp[2 * y + 1]
        const from = y * rowFloats + 2 * c0
        let to = base + 2 * y
        for (let b = 0; b < batch; b++, to += stride) {
          const xr = spectrum[from + 2 * b], xi = conj * spectrum[from + 2 * b + 1]
          heap[to] = xr * cr - xi * ci
          heap[to + 1] = xr * ci + xi * cr
        }
      }
      for (let b = 0; b < batch; b++) this.kernel.convolve(this.block + 4 * b * stride)
      const after = module.HEAPF32
      for (let y = 0; y < height; y++) {
        const cr = chirp[2 * y], ci = chirp[2 * y + 1]
        const to = y * rowFloats + 2 * c0
        let from = base + 2 * y
        for (let b = 0; b < batch; b++, from += stride) {
          const ar = after[from], ai = after[from + 1]
          spectrum[to + 2 * b] = ar * cr - ai * ci
          spectrum[to + 2 * b + 1] = conj * (ar * ci + ai * cr)
        }
      }
    }
  }
}

/** PFFFT's real transform; its packed order is [X0.re, X(n/2).re, X1.re, X1.im, ...]. */
class RealRows implements RowTransform {
  private readonly setup: number
  private readonly row: number
  private readonly work: number

  constructor(
    private readonly module: PffftModule,
    private readonly width: number,
  ) {
    this.setup = module._pffft_new_setup(width, PFFFT_REAL)
    if (this.setup === 0) throw new RangeError(`PFFFT cannot plan a real FFT of length ${width}`)
    this.row = allocFloats(module, width)
    this.work = allocFloats(module, width)
  }

  forward(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number): void {
    const {module, width} = this
    const r = this.row >> 2
    module.HEAPF32.set(src.subarray(srcAt, srcAt + width), r)
    module._pffft_transform_ordered(this.setup, this.row, this.row, this.work, PFFFT_FORWARD)
    const heap = module.HEAPF32
    dst[dstAt] = heap[r]
    dst[dstAt + 1] = 0
    dst.set(heap.subarray(r + 2, r + width), dstAt + 2)
    dst[dstAt + width] = heap[r + 1]
    dst[dstAt + width + 1] = 0
  }

  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void {
    const {module, width} = this
    const r = this.row >> 2
    let heap = module.HEAPF32
    heap[r] = src[srcAt]
    heap[r + 1] = src[srcAt + width]
    heap.set(src.subarray(srcAt + 2, srcAt + width), r + 2)
    module._pffft_transform_ordered(this.setup, this.row, this.row, this.work, PFFFT_BACKWARD)
    heap = module.HEAPF32
    for (let t = 0; t < width; t++) dst[dstAt + t] = scale * heap[r + t]
  }
}

/** Even widths PFFFT's real transform rejects: one half-length complex FFT (direct or Bluestein). */
class HalfLengthRows implements RowTransform {
  private readonly fft: HeapComplexFft
  private readonly row: number
  private readonly twiddles: Float64Array
  private readonly half: number

  constructor(
    private readonly module: PffftModule,
    private readonly width: number,
  ) {
    this.half = width / 2
    this.fft = heapComplexFft(module, this.half)
    this.row = allocFloats(module, width)
    this.twiddles = halfLengthTwiddles(width)
  }

  forward(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number): void {
    const {module, width} = this
    module.HEAPF32.set(src.subarray(srcAt, srcAt + width), this.row >> 2)
    this.fft.transform(this.row, false)
    splitHalfLength(module.HEAPF32, this.row >> 2, this.half, this.twiddles, dst, dstAt)
  }

  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void {
    const {module, width} = this
    const r = this.row >> 2
    mergeHalfLength(src, srcAt, this.half, this.twiddles, module.HEAPF32, r)
    this.fft.transform(this.row, true)
    const heap = module.HEAPF32
    for (let t = 0; t < width; t++) dst[dstAt + t] = scale * heap[r + t]
  }
}

/** Odd widths: a full complex transform (direct or Bluestein) of the Hermitian row. */
class ComplexRows implements RowTransform {
  private readonly fft: HeapComplexFft
  private readonly row: number

  constructor(
    private readonly module: PffftModule,
    private readonly width: number,
  ) {
    this.fft = heapComplexFft(module, width)
    this.row = allocFloats(module, 2 * width)
  }

  forward(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number): void {
    const {module, width} = this
    const r = this.row >> 2
    let heap = module.HEAPF32
    for (let i = 0; i < width; i++) {
      heap[r + 2 * i] = src[srcAt + i]
      heap[r + 2 * i + 1] = 0
    }
    this.fft.transform(this.row, false)
    heap = module.HEAPF32
    dst.set(heap.subarray(r, r + 2 * halfWidth(width)), dstAt)
  }

  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void {
    const {module, width} = this
    const r = this.row >> 2
    hermitianRow(src, srcAt, width, module.HEAPF32, r)
    this.fft.transform(this.row, true)
    const heap = module.HEAPF32
    for (let i = 0; i < width; i++) dst[dstAt + i] = scale * heap[r + 2 * i]
  }
}
