// Multi-scale Laplacian-of-Gaussian response (RELION --LoG): filter the standardised working
// image at several diameters and keep, per pixel, the best response and the diameter that gave it.
import {realFft2D} from '../../../core/numeric/fft.js'
import {applyRadialGain, frequencySquared, logGain} from './spectrum-filter.js'

/**
 * Filter sigma per particle diameter: where the scale-normalised LoG response of a projected
 * uniform sphere peaks (0.30 d; a flat disk would give d / (2 sqrt 2) = 0.354 d; RELION uses d / pi).
 */
export const SIGMA_PER_DIAMETER = 0.3

export interface LogResponse {
  /** Best response per working pixel. */
  fom: Float32Array
  /** Index into `diameters` of the diameter that gave it. */
  best: Uint8Array
  diameters: number[]
}

/**
 * The target map (blobs of the particles' contrast) and the decoy map (the same search on the
 * negated image: blobs of the opposite contrast, which only noise and artefacts produce).
 */
export interface LogMaps {
  target: LogResponse
  decoy: LogResponse
}

/**
 * The diameters searched (A), ascending: the in-range ones (diameterMin..diameterMax in
 * `steps` even steps) plus out-of-range ones (multiples of min below, of max above).
 */
export function searchDiameters(min: number, max: number, steps: number, below: number[], above: number[]): number[] {
  const inRange: number[] = []
  const n = Math.max(1, steps)
  for (let s = 0; s < n; s++) inRange.push(n === 1 ? (min + max) / 2 : min + ((max - min) * s) / (n - 1))
  const all = [...below.map((f) => f * min), ...inRange, ...above.map((f) => f * max)]
  return [...new Set(all)].sort((a, b) => a - b)
}

/** `spectrum` is the forward FFT of the standardised working image (not modified). */
export function multiScaleLog(
  spectrum: Float32Array,
  width: number,
  height: number,
  pixelSizeX: number,
  pixelSizeY: number,
  diameters: number[],
): LogMaps {
  if (diameters.length > 255) throw new RangeError(`at most 255 LoG diameters, got ${diameters.length}`)
  const fft = realFft2D(width, height)
  const k2 = frequencySquared(width, height, pixelSizeX, pixelSizeY)
  const n = width * height
  const target = {fom: new Float32Array(n).fill(-Infinity), best: new Uint8Array(n), diameters}
  const decoy = {fom: new Float32Array(n).fill(-Infinity), best: new Uint8Array(n), diameters}
  const filtered = new Float32Array(spectrum.length)
  const response = new Float32Array(n)
  diameters.forEach((d, index) => {
    applyRadialGain(spectrum, k2, logGain(d * SIGMA_PER_DIAMETER), filtered)
    fft.inverse(filtered, response)
    for (let p = 0; p < n; p++) {
      const v = response[p]
      if (v > target.fom[p]) {
        target.fom[p] = v
        target.best[p] = index
      }
      if (-v > decoy.fom[p]) {
        decoy.fom[p] = -v
        decoy.best[p] = index
      }
    }
  })
  return {target, decoy}
}
