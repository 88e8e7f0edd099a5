// 2D refinement: maximise the normalised cross-correlation between the background-subtracted,
// noise-normalised spectrum and the model snr(k) * CTF^2 over every pixel of the fit band, by
// Nelder-Mead over (mean defocus, astigmatism components[, phase shift]). The per-k weights
// come from the joint background/envelope fit of the equiphase average, so frequencies without
// signal weigh nothing and the fit need not be told where the rings fade.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {evaluateCurve, type CurveDegrees, type SpectrumModel} from './background.js'
import type {SpectrumBand} from './band.js'
import {chiAt, type DefocusState} from './defocus.js'
import {fitProfile, profileWeights} from './defocus-search.js'
import {nelderMead} from './nelder-mead.js'
import {equiphaseAverage} from './radial-profile.js'

/** Band pixels ready for the correlation: normalised data and the model's weight per pixel. */
export interface NormalisedBand {
  data: Float64Array
  weight: Float64Array
  /** Sum and sum of squares of data (constant during the fit). */
  sum: number
  sumSquares: number
}

/** Equiphase profile of the band at `state`, with its fitted background and envelope. */
export function fitBandModel(band: SpectrumBand, values: Float64Array, c: ChiCoefficients, state: DefocusState, unit: number, degrees: CurveDegrees): SpectrumModel {
  const profile = equiphaseAverage(band, values, c, state, unit)
  return fitProfile(profile, profileWeights(profile), c, state.mean, state.phaseShift, degrees)
}

/** data = (power - background) / level, weight = envelope / level, level = background + envelope / 2. */
export function normaliseBand(band: SpectrumBand, values: Float64Array, model: SpectrumModel): NormalisedBand {
  const n = band.count
  const data = new Float64Array(n)
  const weight = new Float64Array(n)
  let sum = 0
  let sumSquares = 0
  for (let t = 0; t < n; t++) {
    const background = evaluateCurve(model.background, band.k[t])
    const envelope = Math.max(0, evaluateCurve(model.envelope, band.k[t]))
    const level = Math.max(background + 0.5 * envelope, 1e-30)
    data[t] = (values[t] - background) / level
    weight[t] = envelope / level
    sum += data[t]
    sumSquares += data[t] * data[t]
  }
  return {data, weight, sum, sumSquares}
}

/** Normalised cross-correlation of the band's data with weight * CTF^2 at `state`. */
export function bandCorrelation(band: SpectrumBand, nb: NormalisedBand, c: ChiCoefficients, state: DefocusState): number {
  const n = band.count
  const {k2, cos2, sin2} = band
  const {data, weight} = nb
  const a = c.defocusTerm
  const q = c.quartic
  const phase = c.constant + state.phaseShift
  let sm = 0
  let smm = 0
  let sdm = 0
  for (let t = 0; t < n; t++) {
    const x = k2[t]
    const defocus = state.mean + state.cos2 * cos2[t] + state.sin2 * sin2[t]
    const s = Math.sin(a * defocus * x - q * x * x + phase)
    const m = weight[t] * s * s
    sm += m
    smm += m * m
    sdm += data[t] * m
  }
  const covariance = sdm - (nb.sum * sm) / n
  const variance = (nb.sumSquares - (nb.sum * nb.sum) / n) * (smm - (sm * sm) / n)
  return variance > 0 ? covariance / Math.sqrt(variance) : 0
}

export interface RefineSettings {
  fitPhaseShift: boolean
  degrees: CurveDegrees
  /** Background refits, each followed by a simplex run. */
  rounds: number
  /** 1 / (box * pixelSize). */
  unit: number
}

/** Refined state and the final correlation (the figure of merit). */
export function refineDefocus(band: SpectrumBand, values: Float64Array, c: ChiCoefficients, start: DefocusState, s: RefineSettings): {state: DefocusState; correlation: number; model: SpectrumModel} {
  let state = start
  let model = fitBandModel(band, values, c, state, s.unit, s.degrees)
  let correlation = 0
  for (let round = 0; round < s.rounds; round++) {
    const nb = normaliseBand(band, values, model)
    const toState = (x: number[]): DefocusState => ({mean: x[0], cos2: x[1], sin2: x[2], phaseShift: s.fitPhaseShift ? x[3] : state.phaseShift})
    const x0 = [state.mean, state.cos2, state.sin2, ...(s.fitPhaseShift ? [state.phaseShift] : [])]
    const step = Math.max(20, 0.01 * state.mean) / (round + 1)
    const steps = [step, step, step, ...(s.fitPhaseShift ? [0.2 / (round + 1)] : [])]
    const result = nelderMead((x) => -bandCorrelation(band, nb, c, toState(x)), x0, steps, {maxEvaluations: 400, tolerance: 1e-7})
    state = toState(result.x)
    correlation = -result.value
    model = fitBandModel(band, values, c, state, s.unit, s.degrees)
  }
  return {state, correlation, model}
}
