// Accuracy against simulator ground truth, shared by the CI accuracy test and the benchmark:
// draw micrographs from the ranges, estimate, and summarise the errors.
import {createRng} from '../../../scripts/simulator/rng.js'
import {simulateMicrograph} from '../../../scripts/simulator/movie.js'
import {fixedMovieOptions} from '../../../scripts/simulator/test-support.js'
import type {MovieSimOptions} from '../../../scripts/simulator/options.js'
import {normalizeAstigmatism} from '../../../core/ctf/ctf-model.js'
import {estimateCtfOfImage, type CtfEstimate} from './estimate.js'
import {resolveCtfOptions, type CtfOptions} from './options.js'

/** The ranges: pixel 0.6-1.5 A, defocus 0.5-3.5 um, astigmatism 0-3000 A, 0.5-2 e/A^2 per frame. */
export function drawCtfCase(seed: number, size: number, frames = 40): MovieSimOptions {
  const rng = createRng(seed, 'ctf-accuracy')
  const mean = rng.uniform(5000, 35000)
  const astigmatism = rng.uniform(0, 3000)
  const uva = normalizeAstigmatism(mean + astigmatism / 2, Math.max(1000, mean - astigmatism / 2), rng.uniform(-90, 90))
  return fixedMovieOptions({
    movie: `ctf_${seed}.mrc`,
    width: size,
    height: size,
    frames,
    pixelSize: rng.uniform(0.6, 1.5),
    dosePerFrame: rng.uniform(0.5, 2),
    ...uva,
    bFactor: rng.uniform(40, 140),
    seed: rng.int(2 ** 31),
  })
}

export interface CaseError {
  options: MovieSimOptions
  estimate: CtfEstimate
  /** |estimated - true| / true mean defocus (%). */
  meanDefocusError: number
  /** Smallest angle between estimated and true astigmatism axes (deg). */
  angleError: number
  seconds: number
}

export function measureCase(o: MovieSimOptions, overrides: Partial<CtfOptions> = {}): CaseError {
  const {image, truth} = simulateMicrograph(o)
  const options = resolveCtfOptions({voltage: truth.voltage, sphericalAberration: truth.sphericalAberration, amplitudeContrast: truth.amplitudeContrast, ...overrides})
  const t0 = performance.now()
  const estimate = estimateCtfOfImage(image, truth.pixelSize, options)
  const seconds = (performance.now() - t0) / 1000
  const trueMean = 0.5 * (truth.defocusU + truth.defocusV)
  const mean = 0.5 * (estimate.defocusU + estimate.defocusV)
  const d = Math.abs(estimate.defocusAngle - truth.defocusAngle) % 180
  return {options: o, estimate, meanDefocusError: (100 * Math.abs(mean - trueMean)) / trueMean, angleError: Math.min(d, 180 - d), seconds}
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const x = (p / 100) * (s.length - 1)
  const lo = Math.floor(x)
  const hi = Math.min(s.length - 1, lo + 1)
  return s[lo] + (x - lo) * (s[hi] - s[lo])
}

export interface AccuracySummary {
  cases: number
  medianDefocusError: number
  p95DefocusError: number
  worstDefocusError: number
  /** Over cases with |U - V| >= 1000 A. */
  astigmaticCases: number
  medianAngleError: number
}

export function summarise(errors: CaseError[]): AccuracySummary {
  const d = errors.map((e) => e.meanDefocusError)
  const astigmatic = errors.filter((e) => e.options.defocusU - e.options.defocusV >= 1000)
  return {
    cases: errors.length,
    medianDefocusError: percentile(d, 50),
    p95DefocusError: percentile(d, 95),
    worstDefocusError: Math.max(...d),
    astigmaticCases: astigmatic.length,
    medianAngleError: percentile(astigmatic.map((e) => e.angleError), 50),
  }
}
