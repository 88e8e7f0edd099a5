// Coarse search: a grid over mean defocus (and phase shift) on the rotational average, scoring
// each candidate by the residual of the joint background + envelope * CTF^2 fit; then the
// astigmatism from the same 1D search run in azimuthal sectors, fitted by df(a) = mean +
// cos2 cos 2a + sin2 sin 2a. Cheap (1D, ~100 bins), and it lands inside the 2D fit's basin.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {fitSpectrumModel, type CurveDegrees, type SpectrumModel} from './background.js'
import type {SpectrumBand} from './band.js'
import type {DefocusState} from './defocus.js'
import {weightedLeastSquares} from './least-squares.js'
import {sectorAverages, sectorCentre, type RadialProfile} from './radial-profile.js'

export interface SearchSettings {
  minDefocus: number
  maxDefocus: number
  step: number
  /** Phase shifts to try (rad); [0] without a phase plate. */
  phaseShifts: number[]
  degrees: CurveDegrees
}

/** 1 / variance of each bin: periodogram noise is proportional to the local power level. */
export function profileWeights(p: RadialProfile): Float64Array {
  const n = p.value.length
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    let m = 0
    for (let j = Math.max(0, i - 3); j <= Math.min(n - 1, i + 3); j++) {
      s += p.value[j]
      m++
    }
    const level = s / m
    w[i] = level > 0 ? p.count[i] / (level * level) : 0
  }
  return w
}

/** CTF^2 of an unastigmatic CTF at each bin's mean k^2. */
export function profileCtf2(p: RadialProfile, c: ChiCoefficients, mean: number, phaseShift: number, out = new Float64Array(p.k2.length)): Float64Array {
  for (let i = 0; i < out.length; i++) {
    const k2 = p.k2[i]
    const s = Math.sin(c.defocusTerm * mean * k2 - c.quartic * k2 * k2 + c.constant + phaseShift)
    out[i] = s * s
  }
  return out
}

export function fitProfile(p: RadialProfile, w: Float64Array, c: ChiCoefficients, mean: number, phaseShift: number, degrees: CurveDegrees): SpectrumModel {
  return fitSpectrumModel(p.k, p.value, w, profileCtf2(p, c, mean, phaseShift), degrees)
}

/** Best (mean defocus, phase shift) on the grid, polished by a golden-section search in defocus. */
export function searchDefocus(p: RadialProfile, c: ChiCoefficients, s: SearchSettings): {mean: number; phaseShift: number; rss: number} {
  const w = profileWeights(p)
  const ctf2 = new Float64Array(p.k.length)
  const rssAt = (mean: number, phase: number) => fitSpectrumModel(p.k, p.value, w, profileCtf2(p, c, mean, phase, ctf2), s.degrees).rss
  let best = {mean: s.minDefocus, phaseShift: s.phaseShifts[0], rss: Infinity}
  for (const phase of s.phaseShifts) {
    for (let mean = s.minDefocus; mean <= s.maxDefocus + 1e-9; mean += s.step) {
      const rss = rssAt(mean, phase)
      if (rss < best.rss) best = {mean, phaseShift: phase, rss}
    }
  }
  const mean = goldenSection((m) => rssAt(m, best.phaseShift), best.mean - s.step, best.mean + s.step, s.step / 1000)
  return {mean, phaseShift: best.phaseShift, rss: rssAt(mean, best.phaseShift)}
}

/** Astigmatism from per-sector 1D searches around the mean defocus. */
export function estimateAstigmatism(
  band: SpectrumBand,
  values: ArrayLike<number>,
  c: ChiCoefficients,
  start: {mean: number; phaseShift: number},
  settings: {maxAstigmatism: number; step: number; sectors: number; degrees: CurveDegrees},
): DefocusState {
  const reach = 0.5 * settings.maxAstigmatism + settings.step
  const profiles = sectorAverages(band, values, settings.sectors)
  const found = profiles.map((p, sector) => {
    const d = searchDefocus(p, c, {
      minDefocus: Math.max(0, start.mean - reach),
      maxDefocus: start.mean + reach,
      step: settings.step / 2,
      phaseShifts: [start.phaseShift],
      degrees: settings.degrees,
    })
    const a = 2 * sectorCentre(sector, settings.sectors)
    return {defocus: d.mean, cos: Math.cos(a), sin: Math.sin(a)}
  })
  // Least squares with one pass of outlier rejection (a sector caught in a neighbouring minimum).
  let use = found
  let fit = sinusoidFit(use)
  const residuals = use.map((f) => Math.abs(f.defocus - (fit[0] + fit[1] * f.cos + fit[2] * f.sin)))
  const mad = median(residuals)
  const kept = use.filter((_, i) => residuals[i] <= Math.max(3 * mad, settings.step))
  if (kept.length >= 6 && kept.length < use.length) {
    use = kept
    fit = sinusoidFit(use)
  }
  return {mean: fit[0], cos2: fit[1], sin2: fit[2], phaseShift: start.phaseShift}
}

function sinusoidFit(points: {defocus: number; cos: number; sin: number}[]): Float64Array {
  return weightedLeastSquares(
    points.length,
    3,
    (i, row) => {
      row[0] = 1
      row[1] = points[i].cos
      row[2] = points[i].sin
    },
    points.map((p) => p.defocus),
    points.map(() => 1),
  ).coefficients
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s.length ? s[s.length >> 1] : 0
}

/** Minimum of a unimodal function on [a, b] to within tolerance. */
export function goldenSection(f: (x: number) => number, a: number, b: number, tolerance: number): number {
  const g = (Math.sqrt(5) - 1) / 2
  let x1 = b - g * (b - a)
  let x2 = a + g * (b - a)
  let f1 = f(x1)
  let f2 = f(x2)
  while (b - a > tolerance) {
    if (f1 < f2) {
      b = x2
      x2 = x1
      f2 = f1
      x1 = b - g * (b - a)
      f1 = f(x1)
    } else {
      a = x1
      x1 = x2
      f1 = f2
      x2 = a + g * (b - a)
      f2 = f(x2)
    }
  }
  return 0.5 * (a + b)
}
