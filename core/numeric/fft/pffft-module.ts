/**
 * PFFFT (Julien Pommier's SIMD FFT, 2/3/5 radix) compiled to WebAssembly SIMD, from
 * @echogarden/pffft-wasm. Loaded once per thread at import time (top-level await), so the
 * synchronous realFft2D can use it; undefined where WebAssembly SIMD is unavailable.
 *
 * Limits (checked by the callers, since PFFFT aborts on them): complex length a multiple of 16,
 * real length a multiple of 32, and only prime factors 2, 3 and 5.
 */

export interface PffftModule {
  HEAPF32: Float32Array
  _pffft_new_setup(n: number, transform: number): number
  _pffft_transform(setup: number, input: number, output: number, work: number, direction: number): void
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scaling: number): void
  _pffft_aligned_malloc(bytes: number): number
  _pffft_simd_size(): number
}

export const PFFFT_REAL = 0
export const PFFFT_COMPLEX = 1
export const PFFFT_FORWARD = 0
export const PFFFT_BACKWARD = 1

async function load(): Promise<PffftModule | undefined> {
  try {
    const factory = (await import('@echogarden/pffft-wasm/simd')).default
    return await factory()
  } catch {
    // No WebAssembly SIMD here: the pure TypeScript FFT serves every size.
    return undefined
  }
}

export const pffft: PffftModule | undefined = await load()

function isSmooth(n: number): boolean {
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p
  return n === 1
}

export function pffftSupportsComplex(n: number): boolean {
  return n > 0 && n % 16 === 0 && isSmooth(n)
}

export function pffftSupportsReal(n: number): boolean {
  return n > 0 && n % 32 === 0 && isSmooth(n)
}

/** Smallest m >= n that PFFFT transforms as a complex length. */
export function pffftComplexSizeAtLeast(n: number): number {
  let m = Math.max(16, Math.ceil(n / 16) * 16)
  while (!isSmooth(m)) m += 16
  return m
}

/** Allocates floats in the module heap (16-byte aligned); plans keep them for their lifetime. */
export function allocFloats(module: PffftModule, count: number): number {
  const ptr = module._pffft_aligned_malloc(4 * count)
  if (ptr === 0) throw new RangeError(`PFFFT heap could not allocate ${count} floats`)
  return ptr
}
