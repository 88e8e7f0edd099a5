// 1D averages of the band's pixels: by radius (rotational) and "equiphase" (by the frequency
// that has the same chi at the mean defocus, CTFFIND's astigmatism-aware average, which keeps the rings sharp however astigmatic the spectrum).
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import type {SpectrumBand} from './band.js'
import type {DefocusState} from './defocus.js'

/** Non-empty bins of a 1D average: mean k (1/A), mean k^2, mean value, pixel count. */
export interface RadialProfile {
  k: Float64Array
  k2: Float64Array
  value: Float64Array
  count: Float64Array
}

/** Average of values over pixels grouped by an integer bin (negative = left out). */
export function binnedProfile(bin: Int32Array, k: ArrayLike<number>, values: ArrayLike<number>, bins: number): RadialProfile {
  const sk = new Float64Array(bins)
  const sk2 = new Float64Array(bins)
  const sv = new Float64Array(bins)
  const n = new Float64Array(bins)
  for (let t = 0; t < bin.length; t++) {
    const b = bin[t]
    if (b < 0 || b >= bins) continue
    sk[b] += k[t]
    sk2[b] += k[t] * k[t]
    sv[b] += values[t]
    n[b]++
  }
  const used: number[] = []
  for (let b = 0; b < bins; b++) if (n[b] > 0) used.push(b)
  const out: RadialProfile = {
    k: new Float64Array(used.length),
    k2: new Float64Array(used.length),
    value: new Float64Array(used.length),
    count: new Float64Array(used.length),
  }
  used.forEach((b, i) => {
    out.k[i] = sk[b] / n[b]
    out.k2[i] = sk2[b] / n[b]
    out.value[i] = sv[b] / n[b]
    out.count[i] = n[b]
  })
  return out
}

/** Rotational average in 1-pixel radius bins. */
export function rotationalAverage(band: SpectrumBand, values: ArrayLike<number>): RadialProfile {
  const bin = new Int32Array(band.count)
  let max = 0
  for (let t = 0; t < band.count; t++) {
    bin[t] = Math.round(band.radius[t])
    max = Math.max(max, bin[t])
  }
  return binnedProfile(bin, band.k, values, max + 1)
}

/**
 * Average over pixels of equal chi: each pixel goes to the bin of the frequency k' whose chi at
 * the mean defocus equals its own. `unit` = 1 / (box * pixelSize) converts k' to spectrum pixels.
 * The returned k is k' (the frequency the rings sit at for an unastigmatic CTF of mean defocus).
 */
export function equiphaseAverage(band: SpectrumBand, values: ArrayLike<number>, c: ChiCoefficients, s: DefocusState, unit: number): RadialProfile {
  const equivalentK = new Float64Array(band.count)
  const bin = new Int32Array(band.count)
  let max = 0
  const linear = c.defocusTerm * s.mean
  for (let t = 0; t < band.count; t++) {
    const k2 = band.k2[t]
    const defocus = s.mean + s.cos2 * band.cos2[t] + s.sin2 * band.sin2[t]
    const phase = c.defocusTerm * defocus * k2 - c.quartic * k2 * k2
    // quartic x^2 - linear x + phase = 0 for x = k'^2, the root continuous with x = phase / linear at Cs = 0.
    const d = Math.max(0, linear * linear - 4 * c.quartic * phase)
    const x = (2 * phase) / (linear + Math.sqrt(d))
    equivalentK[t] = Math.sqrt(Math.max(0, x))
    bin[t] = Math.round(equivalentK[t] / unit)
    max = Math.max(max, bin[t])
  }
  return binnedProfile(bin, equivalentK, values, max + 1)
}
