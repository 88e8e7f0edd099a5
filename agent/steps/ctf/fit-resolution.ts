// Fit resolution: the windowed correlation between the equiphase-averaged spectrum and the fitted
// CTF^2 along frequency, each window spanning the same number of Thon rings (a fixed chi range),
// and the resolution is the first frequency where it drops below the threshold (CTFFIND's idea).
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import type {RadialProfile} from './radial-profile.js'

export interface FitResolutionSettings {
  threshold: number
  /** Window half-width in Thon rings (pi of chi each). */
  ringsPerSide: number
  /** Window half-width floor in bins, so dense rings still average enough samples. */
  minBinsPerSide: number
}

export const defaultFitResolutionSettings: FitResolutionSettings = {threshold: 0.5, ringsPerSide: 1.5, minBinsPerSide: 3}

/**
 * Correlation per profile bin between spectrum and fit (same length), and the resolution (A).
 * `mean` and `phaseShift` give chi along the (equiphase) profile.
 */
export function fitResolution(
  profile: RadialProfile,
  spectrum: ArrayLike<number>,
  fit: ArrayLike<number>,
  c: ChiCoefficients,
  mean: number,
  s: FitResolutionSettings,
): {resolution: number; correlation: Float64Array} {
  const n = profile.k.length
  const chi = new Float64Array(n)
  for (let i = 0; i < n; i++) chi[i] = Math.abs(c.defocusTerm * mean * profile.k2[i] - c.quartic * profile.k2[i] * profile.k2[i])
  const correlation = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let lo = i
    let hi = i
    const reach = s.ringsPerSide * Math.PI
    while (lo > 0 && (Math.abs(chi[lo - 1] - chi[i]) <= reach || i - lo < s.minBinsPerSide)) lo--
    while (hi < n - 1 && (Math.abs(chi[hi + 1] - chi[i]) <= reach || hi - i < s.minBinsPerSide)) hi++
    correlation[i] = pearson(spectrum, fit, profile.count, lo, hi)
  }
  let resolution = 1 / profile.k[n - 1]
  for (let i = 0; i < n; i++) {
    if (correlation[i] < s.threshold) {
      resolution = 1 / profile.k[Math.max(0, i - 1)]
      break
    }
  }
  return {resolution, correlation}
}

/** Count-weighted Pearson correlation of a and b over bins lo..hi. */
function pearson(a: ArrayLike<number>, b: ArrayLike<number>, w: ArrayLike<number>, lo: number, hi: number): number {
  let sw = 0, sa = 0, sb = 0
  for (let i = lo; i <= hi; i++) {
    sw += w[i]
    sa += w[i] * a[i]
    sb += w[i] * b[i]
  }
  const ma = sa / sw
  const mb = sb / sw
  let cab = 0, caa = 0, cbb = 0
  for (let i = lo; i <= hi; i++) {
    const da = a[i] - ma
    const db = b[i] - mb
    cab += w[i] * da * db
    caa += w[i] * da * da
    cbb += w[i] * db * db
  }
  return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : 0
}
