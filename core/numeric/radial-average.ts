/**
 * Rotational (radial) averages of per-bin values over a half-complex spectrum, e.g. power
 * spectra for CTF fitting or spectral SNR. Each half-complex bin with 0 < kx < width/2 stands
 * for itself and its Hermitian mirror (-kx, -ky), so it counts twice; kx = 0 and the even-width
 * Nyquist column count once. The result is the exact full-plane average per shell.
 */
import {checkSpectrum, halfWidth} from './half-complex.js'
import {frequencySquared} from './spatial-frequency.js'

export interface RadialProfile {
  /** Shell centre frequency, cycles per pixel (shell s covers [s - 1/2, s + 1/2) * shellWidth). */
  frequency: Float64Array
  /** Mean value per shell; 0 where the shell holds no bin (weight 0). */
  mean: Float64Array
  /** Number of full-plane bins per shell. */
  weight: Float64Array
}

export interface RadialAverageOptions {
  /** Shell width in cycles/pixel; default 1 / min(width, height) (one pixel of the short axis). */
  shellWidth?: number
  /** Highest frequency kept, cycles/pixel; default 0.5 (corners beyond Nyquist are dropped). */
  maxFrequency?: number
}

/** values: one real per half-complex bin, (floor(width/2)+1) x height, row-major. */
export function radialAverage(
  values: ArrayLike<number>,
  width: number,
  height: number,
  {shellWidth = 1 / Math.min(width, height), maxFrequency = 0.5}: RadialAverageOptions = {},
): RadialProfile {
  const hw = halfWidth(width)
  if (values.length !== hw * height) {
    throw new RangeError(`radialAverage values have ${values.length} entries, expected ${hw * height} (${hw}x${height} half-complex bins)`)
  }
  if (!(shellWidth > 0)) throw new RangeError(`radialAverage shellWidth must be > 0 cycles/pixel, got ${shellWidth}`)
  const shells = Math.floor(maxFrequency / shellWidth + 0.5) + 1
  const sum = new Float64Array(shells)
  const weight = new Float64Array(shells)
  const k2 = frequencySquared(width, height)
  const mirroredUpTo = width % 2 === 0 ? hw - 1 : hw // columns [1, mirroredUpTo) count twice
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < hw; i++) {
      const b = j * hw + i
      const s = Math.round(Math.sqrt(k2[b]) / shellWidth)
      if (s >= shells) continue
      const w = i > 0 && i < mirroredUpTo ? 2 : 1
      sum[s] += w * values[b]
      weight[s] += w
    }
  }
  const mean = new Float64Array(shells)
  const frequency = new Float64Array(shells)
  for (let s = 0; s < shells; s++) {
    frequency[s] = s * shellWidth
    mean[s] = weight[s] > 0 ? sum[s] / weight[s] : 0
  }
  return {frequency, mean, weight}
}

/** |F|^2 per half-complex bin. */
export function powerSpectrum(spectrum: Float32Array, width: number, height: number): Float32Array {
  checkSpectrum('powerSpectrum spectrum', spectrum, width, height)
  const out = new Float32Array(spectrum.length / 2)
  for (let b = 0; b < out.length; b++) out[b] = spectrum[2 * b] ** 2 + spectrum[2 * b + 1] ** 2
  return out
}
