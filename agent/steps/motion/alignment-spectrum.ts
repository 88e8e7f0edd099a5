// The low-resolution copies of the frame spectra that alignment works on. The B-factor filter
// exp(-B s^2) (per spectrum; exp(-2 B s^2) in the cross-power) leaves almost nothing beyond
// a fraction of Nyquist, so the spectra are cropped to where it matters: the alignment then
// costs a small fraction of the full-size work.
import {fourierCrop} from '../../../core/numeric/fourier-crop.js'
import {bFactorWeights, multiplySpectrum} from '../../../core/numeric/filters.js'

/** Cross-power weight exp(-2 B s^2) below which frequencies are dropped from the alignment spectra. */
const FINE_CUTOFF = 1e-3
/** ... and from the coarse correlation map of the first search. */
const COARSE_CUTOFF = 0.1
const MIN_SIZE = 32

export interface GridSize {
  width: number
  height: number
}

/** Smallest even size >= n whose prime factors are 2, 3 and 5 (fast FFT sizes). */
export function fastEvenSize(n: number): number {
  for (let m = Math.max(2, Math.ceil(n)); ; m++) {
    if (m % 2 !== 0) continue
    let r = m
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p
    if (r === 1) return m
  }
}

/** Size of the grid on which frequencies with cross-power weight >= cutoff fit (even, <= the image). */
export function croppedSize(width: number, height: number, bfactor: number, cutoff: number): GridSize {
  const sMax = Math.sqrt(Math.log(1 / cutoff) / (2 * bfactor))
  const side = (n: number) => {
    const m = fastEvenSize(Math.max(MIN_SIZE, 2 * sMax * n))
    return m >= n ? n - (n % 2) : m
  }
  return {width: side(width), height: side(height)}
}

export function alignmentSize(width: number, height: number, bfactor: number): GridSize {
  return croppedSize(width, height, bfactor, FINE_CUTOFF)
}

export function coarseSize(width: number, height: number, bfactor: number): GridSize {
  return croppedSize(width, height, bfactor, COARSE_CUTOFF)
}

/**
 * Crops a full frame spectrum (width x height) to `size` and applies exp(-B s^2), s in cycles
 * per input pixel, B in input pixels^2 (on the cropped grid B scales by the crop ratio squared;
 * the x and y ratios differ by well under 1 %, which only reshapes the filter, not the shifts).
 */
export function alignmentSpectrum(spectrum: Float32Array, width: number, height: number, size: GridSize, bfactor: number, weights?: Float32Array): Float32Array {
  const out = fourierCrop(spectrum, width, height, size.width, size.height)
  multiplySpectrum(out, weights ?? alignmentWeights(width, height, size, bfactor))
  return out
}

/** The filter of alignmentSpectrum on its grid, computed once per movie. */
export function alignmentWeights(width: number, height: number, size: GridSize, bfactor: number): Float32Array {
  return bFactorWeights(size.width, size.height, bfactor * (size.width / width) * (size.height / height))
}
