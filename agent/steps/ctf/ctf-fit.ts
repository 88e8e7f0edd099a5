// 2D refinement: maximise the normalised cross-correlation between the background-subtracted,
// noise-normalised spectrum and the model snr(k) * CTF^2 over every pixel of the fit band, by
// Levenberg-Marquardt over (mean defocus, astigmatism components[, phase shift]). The per-k weights
// come from the joint background/envelope fit of the equiphase average, so frequencies without
// signal weigh nothing and the fit need not be told where the rings fade.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {spectrumLevels, type CurveDegrees, type SpectrumModel} from './background.js'
import type {SpectrumBand} from './band.js'
import {chiAt, type DefocusState} from './defocus.js'
import {fitProfile, profileWeights} from './profile-fit.js'
import {solveLinear} from './least-squares.js'
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
    const {background, envelope, level} = spectrumLevels(model, band.k[t])
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
  const {data, weight} = nb
  let sm = 0
  let smm = 0
  let sdm = 0
  for (let t = 0; t < n; t++) {
    const s = Math.sin(chiAt(c, state, band.k2[t], band.cos2[t], band.sin2[t]))
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
  /** Background refits, each followed by a Levenberg-Marquardt run. */
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
    state = levenbergMarquardt(band, nb, c, state, s.fitPhaseShift)
    correlation = bandCorrelation(band, nb, c, state)
    model = fitBandModel(band, values, c, state, s.unit, s.degrees)
  }
  return {state, correlation, model}
}

/**
 * Least squares data ~ alpha + beta * weight * sin^2(chi(theta)), theta = (mean, cos2, sin2
 * [, phase]): the same optimum as the correlation, but with an analytic Jacobian, so it
 * converges in a few passes over the band where a simplex needs hundreds.
 */
function levenbergMarquardt(band: SpectrumBand, nb: NormalisedBand, c: ChiCoefficients, start: DefocusState, fitPhase: boolean): DefocusState {
  const m = fitPhase ? 6 : 5
  let p = [...linearScale(band, nb, c, start), start.mean, start.cos2, start.sin2, start.phaseShift]
  let cost = residualCost(band, nb, c, p)
  let damping = 1e-3
  const normal = new Float64Array(m * m)
  const gradient = new Float64Array(m)
  for (let iteration = 0; iteration < 50; iteration++) {
    jacobianProducts(band, nb, c, p, m, normal, gradient)
    let improved = false
    while (damping < 1e8) {
      const a = normal.slice()
      for (let j = 0; j < m; j++) a[j * m + j] *= 1 + damping
      const step = solveLinear(a, gradient.slice(), m)
      if (Math.max(Math.abs(step[2]), Math.abs(step[3]), Math.abs(step[4])) < 0.01 && (m < 6 || Math.abs(step[5]) < 1e-5)) break
      const trial = p.map((v, j) => (j < m ? v + step[j] : v))
      const trialCost = residualCost(band, nb, c, trial)
      if (trialCost < cost) {
        const relative = (cost - trialCost) / cost
        p = trial
        cost = trialCost
        damping = Math.max(1e-7, damping / 3)
        improved = relative > 1e-8
        break
      }
      damping *= 4
    }
    if (!improved) break
  }
  return stateOf(p)
}

/** alpha, beta of the least-squares line data ~ alpha + beta * model at a state. */
function linearScale(band: SpectrumBand, nb: NormalisedBand, c: ChiCoefficients, state: DefocusState): [number, number] {
  let sm = 0, smm = 0, sdm = 0
  for (let t = 0; t < band.count; t++) {
    const s = Math.sin(chiAt(c, state, band.k2[t], band.cos2[t], band.sin2[t]))
    const m = nb.weight[t] * s * s
    sm += m
    smm += m * m
    sdm += nb.data[t] * m
  }
  const n = band.count
  const beta = (sdm - (nb.sum * sm) / n) / Math.max(1e-300, smm - (sm * sm) / n)
  return [(nb.sum - beta * sm) / n, beta]
}

/** Sum of squared residuals for p = (alpha, beta, mean, cos2, sin2, phase). */
function residualCost(band: SpectrumBand, nb: NormalisedBand, c: ChiCoefficients, p: number[]): number {
  const [alpha, beta] = p
  const state = stateOf(p)
  let cost = 0
  for (let t = 0; t < band.count; t++) {
    const s = Math.sin(chiAt(c, state, band.k2[t], band.cos2[t], band.sin2[t]))
    const r = nb.data[t] - alpha - beta * nb.weight[t] * s * s
    cost += r * r
  }
  return cost
}

function stateOf(p: number[]): DefocusState {
  return {mean: p[2], cos2: p[3], sin2: p[4], phaseShift: p[5]}
}

/** J'J (m x m) and J'r for the first m parameters at p. */
function jacobianProducts(band: SpectrumBand, nb: NormalisedBand, c: ChiCoefficients, p: number[], m: number, normal: Float64Array, gradient: Float64Array): void {
  const [alpha, beta] = p
  const state = stateOf(p)
  const j = new Float64Array(6)
  normal.fill(0)
  gradient.fill(0)
  for (let t = 0; t < band.count; t++) {
    const x = band.k2[t]
    const chi = chiAt(c, state, x, band.cos2[t], band.sin2[t])
    const s = Math.sin(chi)
    const w = nb.weight[t]
    const model = w * s * s
    const r = nb.data[t] - alpha - beta * model
    // d(beta * w * sin^2 chi) / d chi = beta * w * sin 2chi; d chi / d defocus = defocusTerm * k^2.
    const dChi = beta * w * 2 * s * Math.cos(chi)
    const dDefocus = dChi * c.defocusTerm * x
    j[0] = 1
    j[1] = model
    j[2] = dDefocus
    j[3] = dDefocus * band.cos2[t]
    j[4] = dDefocus * band.sin2[t]
    j[5] = dChi
    for (let a = 0; a < m; a++) {
      gradient[a] += j[a] * r
      for (let b = a; b < m; b++) normal[a * m + b] += j[a] * j[b]
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) normal[a * m + b] = normal[b * m + a]
}
