// Coarse search: a grid over mean defocus (and phase shift) on the rotational average, scoring
// each candidate by the residual of the joint background + envelope * CTF^2 fit (1D, ~100 bins,
// cheap); then a 2D grid over the astigmatism at that mean. Both land in the refinement's basin.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {SpectrumModelFitter, type CurveDegrees} from './background.js'
import {profileCtf2, profileWeights} from './profile-fit.js'
import type {SpectrumBand} from './band.js'
import type {DefocusState} from './defocus.js'
import {bandCorrelation, type NormalisedBand} from './ctf-fit.js'
import type {RadialProfile} from './radial-profile.js'

export interface SearchSettings {
  minDefocus: number
  maxDefocus: number
  step: number
  /** Phase shifts to try (rad); [0] without a phase plate. */
  phaseShifts: number[]
  degrees: CurveDegrees
}

/** Best (mean defocus, phase shift) on the grid, polished by a golden-section search in defocus. */
export function searchDefocus(p: RadialProfile, c: ChiCoefficients, s: SearchSettings): {mean: number; phaseShift: number; rss: number} {
  const w = profileWeights(p)
  const ctf2 = new Float64Array(p.k.length)
  const fitter = new SpectrumModelFitter(p.k, p.value, w, s.degrees)
  const rssAt = (mean: number, phase: number) => fitter.rss(profileCtf2(p, c, mean, phase, ctf2))
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

/**
 * Astigmatism by a polar grid over (half-astigmatism h, angle) at the coarse mean defocus, each
 * candidate scored by the 2D correlation over the band (a regular subset of its pixels, which
 * is plenty for ranking); the grid is fine enough (step `step` in h and in h * 2 angle) to land
 * inside the refinement's basin. Scoring jointly over all azimuths avoids the ring aliasing
 * that per-sector 1D searches suffer at low defocus.
 */
export function estimateAstigmatism(
  band: SpectrumBand,
  normalised: NormalisedBand,
  c: ChiCoefficients,
  start: {mean: number; phaseShift: number},
  settings: {maxAstigmatism: number; step: number},
): DefocusState {
  let best: DefocusState = {mean: start.mean, cos2: 0, sin2: 0, phaseShift: start.phaseShift}
  let bestScore = bandCorrelation(band, normalised, c, best)
  for (let h = settings.step; h <= 0.5 * settings.maxAstigmatism + 1e-9; h += settings.step) {
    const angles = Math.max(4, Math.ceil((2 * Math.PI * h) / settings.step))
    for (let i = 0; i < angles; i++) {
      const a = (2 * Math.PI * i) / angles
      const candidate = {mean: start.mean, cos2: h * Math.cos(a), sin2: h * Math.sin(a), phaseShift: start.phaseShift}
      const score = bandCorrelation(band, normalised, c, candidate)
      if (score > bestScore) {
        best = candidate
        bestScore = score
      }
    }
  }
  return best
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
