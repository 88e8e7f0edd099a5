// One frame from raw pixels to the two spectra the step keeps: gain-corrected, bad pixels
// replaced, transformed (the full spectrum, for the sum) and cropped + filtered (alignment).
// Pure, so the main thread and the worker tasks run exactly the same code.
import {realFft2D} from '../../../core/numeric/fft.js'
import {alignmentSpectrum, type GridSize} from './alignment-spectrum.js'
import {replaceBadPixels} from './defects.js'

export interface FrameCorrection {
  width: number
  height: number
  gain?: Float32Array
  /** Bad-pixel mask and the list of its pixels (empty: none). */
  mask: Uint8Array
  bad: Int32Array
  frameMean: number
  fine: GridSize
  bfactor: number
  /** alignmentWeights(...) for this movie. */
  weights: Float32Array
}

/** Total and sum of squares of a raw frame: non-finite = NaN/Inf pixels, squares 0 = empty. */
export interface FrameStats {
  total: number
  squares: number
}

/**
 * Corrects `frame` in place and writes its full spectrum and its alignment spectrum; returns
 * the raw frame's statistics for the caller's checks.
 */
export function frameSpectra(frame: Float32Array, frameIndex: number, c: FrameCorrection, spectrum: Float32Array, small: Float32Array): FrameStats {
  const stats = applyGain(frame, c.gain)
  if (c.bad.length) replaceBadPixels(frame, c.width, c.height, c.mask, c.bad, frameIndex, c.frameMean)
  realFft2D(c.width, c.height).forward(frame, spectrum)
  small.set(alignmentSpectrum(spectrum, c.width, c.height, c.fine, c.bfactor, c.weights))
  return stats
}

/** frame *= gain (when given), in the same pass as the raw statistics. */
function applyGain(frame: Float32Array, gain?: Float32Array): FrameStats {
  let total = 0
  let squares = 0
  if (!gain) {
    for (let i = 0; i < frame.length; i++) {
      total += frame[i]
      squares += frame[i] * frame[i]
    }
    return {total, squares}
  }
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i]
    total += v
    squares += v * v
    frame[i] = v * gain[i]
  }
  return {total, squares}
}
