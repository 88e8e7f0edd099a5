/**
 * In-place complex FFTs of any length on interleaved float vectors in the PFFFT heap: PFFFT
 * directly for lengths it supports, otherwise Bluestein's chirp-z convolution on a PFFFT length
 * M >= 2n - 1 (SIMD convolution in PFFFT's internal order, so no reordering).
 * Unnormalised both ways, forward exp(-2 pi i jk / n).
 */
import {
  PFFFT_BACKWARD,
  PFFFT_COMPLEX,
  PFFFT_FORWARD,
  allocFloats,
  pffftComplexSizeAtLeast,
  pffftSupportsComplex,
  type PffftModule,
} from './pffft-module.js'

export interface HeapComplexFft {
  readonly n: number
  /** Transforms n complex values at byte address ptr, in place. */
  transform(ptr: number, inverse: boolean): void
}

export function heapComplexFft(module: PffftModule, n: number): HeapComplexFft {
  return pffftSupportsComplex(n) ? new DirectFft(module, n) : new BluesteinFft(module, n)
}

function newSetup(module: PffftModule, n: number): number {
  const setup = module._pffft_new_setup(n, PFFFT_COMPLEX)
  if (setup === 0) throw new RangeError(`PFFFT cannot plan a complex FFT of length ${n}`)
  return setup
}

class DirectFft implements HeapComplexFft {
  private readonly setup: number
  private readonly work: number

  constructor(
    private readonly module: PffftModule,
    readonly n: number,
  ) {
    this.setup = newSetup(module, n)
    this.work = allocFloats(module, 2 * n)
  }

  transform(ptr: number, inverse: boolean): void {
    this.module._pffft_transform_ordered(this.setup, ptr, ptr, this.work, inverse ? PFFFT_BACKWARD : PFFFT_FORWARD)
  }
}

/**
 * The chirp-z core shared by single vectors and column blocks: X_k = c_k sum_j (x_j c_j) conj(c_{k-j})
 * with c_k = exp(-i pi k^2 / n). Callers multiply by the chirp on the way in and out (fused
 * into their own copies); convolve does the circular convolution with conj(c) in place.
 */
export class BluesteinKernel {
  /** Convolution length (complex values), a PFFFT size >= 2n - 1. */
  readonly m: number
  /** exp(-i pi k^2 / n), k < n, interleaved. */
  readonly chirp: Float64Array
  private readonly setup: number
  private readonly work: number
  private readonly product: number
  /** FFT of the wrapped conjugate chirp, in PFFFT's internal order. */
  private readonly kernel: number

  constructor(
    private readonly module: PffftModule,
    readonly n: number,
  ) {
    const m = pffftComplexSizeAtLeast(2 * n - 1)
    this.m = m
    this.setup = newSetup(module, m)
    this.work = allocFloats(module, 2 * m)
    this.product = allocFloats(module, 2 * m)
    this.kernel = allocFloats(module, 2 * m)
    this.chirp = new Float64Array(2 * n)
    for (let k = 0; k < n; k++) {
      const angle = (-Math.PI * ((k * k) % (2 * n))) / n
      this.chirp[2 * k] = Math.cos(angle)
      this.chirp[2 * k + 1] = Math.sin(angle)
    }
    const heap = module.HEAPF32
    const kernel = this.kernel >> 2
    heap.fill(0, kernel, kernel + 2 * m)
    for (let k = 0; k < n; k++) {
      const re = this.chirp[2 * k], im = -this.chirp[2 * k + 1]
      heap[kernel + 2 * k] = re
      heap[kernel + 2 * k + 1] = im
      if (k > 0) {
        heap[kernel + 2 * (m - k)] = re
        heap[kernel + 2 * (m - k) + 1] = im
      }
    }
    module._pffft_transform(this.setup, this.kernel, this.kernel, this.work, PFFFT_FORWARD)
  }

  /** In place on 2m floats at ptr whose first n values are set: zero-pads, convolves, scales by 1/m. */
  convolve(ptr: number): void {
    const {module, n, m} = this
    const x = ptr >> 2, product = this.product >> 2
    module.HEAPF32.fill(0, x + 2 * n, x + 2 * m)
    module.HEAPF32.fill(0, product, product + 2 * m)
    module._pffft_transform(this.setup, ptr, ptr, this.work, PFFFT_FORWARD)
    module._pffft_zconvolve_accumulate(this.setup, ptr, this.kernel, this.product, 1 / m)
    module._pffft_transform(this.setup, this.product, ptr, this.work, PFFFT_BACKWARD)
  }
}

class BluesteinFft implements HeapComplexFft {
  private readonly kernel: BluesteinKernel
  private readonly buffer: number

  constructor(
    private readonly module: PffftModule,
    readonly n: number,
  ) {
    this.kernel = new BluesteinKernel(module, n)
    this.buffer = allocFloats(module, 2 * this.kernel.m)
  }

  transform(ptr: number, inverse: boolean): void {
    const {module, n} = this
    const {chirp} = this.kernel
    // The inverse is conj(forward(conj(x))).
    const conj = inverse ? -1 : 1
    let heap = module.HEAPF32
    const x = ptr >> 2, a = this.buffer >> 2
    for (let k = 0; k < n; k++) {
      const xr = heap[x + 2 * k], xi = conj * heap[x + 2 * k + 1]
      const cr = chirp[2 * k], ci = chirp[2 * k + 1]
      heap[a + 2 * k] = xr * cr - xi * ci
      heap[a + 2 * k + 1] = xr * ci + xi * cr
    }
    this.kernel.convolve(this.buffer)
    heap = module.HEAPF32
    for (let k = 0; k < n; k++) {
      const ar = heap[a + 2 * k], ai = heap[a + 2 * k + 1]
      const cr = chirp[2 * k], ci = chirp[2 * k + 1]
      heap[x + 2 * k] = ar * cr - ai * ci
      heap[x + 2 * k + 1] = conj * (ar * ci + ai * cr)
    }
  }
}
