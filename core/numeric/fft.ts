/**
 * 2D real FFT of any size, with the team's half-complex spectrum layout.
 *
 * Spectrum: 2 * (floor(width / 2) + 1) * height floats, interleaved (re, im), row-major.
 * Row j holds ky = j <= height / 2 ? j : j - height; column i holds kx = i (cycles per image).
 * forward is unnormalised; inverse divides by width * height, so inverse(forward(x)) == x.
 * inverse may overwrite its input spectrum. For an even width/height the imaginary parts of
 * the kx = 0 and Nyquist bins that a real image cannot have are ignored by inverse.
 *
 * Backends (see scripts/bench/fft.bench.ts for the measurements behind the choice):
 * 'pffft' — PFFFT in WebAssembly SIMD, Bluestein on top of it for lengths with large prime
 * factors; the default wherever WebAssembly SIMD runs. 'js' — pure TypeScript fallback.
 */
import {JsRealFft2D} from './fft/js-real-fft-2d.js'
import {pffft} from './fft/pffft-module.js'
import {PffftRealFft2D} from './fft/pffft-real-fft-2d.js'
import type {RealFft2D} from './fft/real-fft-2d.js'

export type {RealFft2D} from './fft/real-fft-2d.js'
export {halfWidth, spectrumLength} from './half-complex.js'

export type FftBackend = 'pffft' | 'js'

/**
 * The backend realFft2D uses by default: pffft where WebAssembly SIMD runs, else js.
 * EMSTREAM_FFT_BACKEND=js|pffft overrides it (to compare results or rule a backend out).
 */
export const defaultFftBackend: FftBackend = chooseDefaultBackend(process.env.EMSTREAM_FFT_BACKEND)

function chooseDefaultBackend(requested: string | undefined): FftBackend {
  if (requested === undefined || requested === '') return pffft ? 'pffft' : 'js'
  if (requested === 'js' || requested === 'pffft') return requested
  throw new RangeError(`EMSTREAM_FFT_BACKEND must be 'js' or 'pffft', got '${requested}'`)
}

const plans = new Map<string, RealFft2D>()

/** A cached plan per size and backend. Plans hold scratch buffers, so use each from one thread. */
export function realFft2D(width: number, height: number, backend: FftBackend = defaultFftBackend): RealFft2D {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`FFT ${name} must be a positive integer, got ${v}`)
  }
  const key = `${backend}:${width}x${height}`
  let plan = plans.get(key)
  if (!plan) {
    plan = createPlan(width, height, backend)
    plans.set(key, plan)
  }
  return plan
}

/**
 * Smallest size >= n that the default backend transforms at full speed on both axes: a
 * multiple of 32 with no prime factor above 5 (e.g. 4096, 5760, 3840; 4092 -> 4096).
 * Other sizes work too, through Bluestein at several times the cost per line.
 */
export function fastFftSize(n: number): number {
  if (!(n >= 1) || !Number.isFinite(n)) throw new RangeError(`FFT size must be >= 1, got ${n}`)
  let m = Math.ceil(n / 32) * 32
  while (!isSmooth(m)) m += 32
  return m
}

function isSmooth(n: number): boolean {
  for (const p of [2, 3, 5]) while (n % p === 0) n /= p
  return n === 1
}

function createPlan(width: number, height: number, backend: FftBackend): RealFft2D {
  if (backend === 'js') return new JsRealFft2D(width, height)
  if (!pffft) throw new RangeError('FFT backend pffft is unavailable here (no WebAssembly SIMD); use the js backend')
  return new PffftRealFft2D(pffft, width, height)
}
