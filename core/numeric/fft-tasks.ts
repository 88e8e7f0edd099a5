/**
 * WorkerPool tasks for transforming frames in parallel (motion correction). Inputs and outputs
 * are typed arrays, ideally over SharedArrayBuffer (sharedFloat32) so nothing is copied.
 * Each worker keeps its own cached FFT plans.
 */
import {realFft2D} from './fft.js'

export interface FftTaskPayload {
  width: number
  height: number
  /** Image (forward) or half-complex spectrum (inverse; overwritten). */
  input: Float32Array
  /** Where the result is written. */
  output: Float32Array
}

export function forwardFft({width, height, input, output}: FftTaskPayload): void {
  realFft2D(width, height).forward(input, output)
}

export function inverseFft({width, height, input, output}: FftTaskPayload): void {
  realFft2D(width, height).inverse(input, output)
}
