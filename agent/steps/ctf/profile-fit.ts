// The 1D model fit of a radial profile (rotational or equiphase average) for a given defocus:
// per-bin weights from the noise level, the unastigmatic CTF^2 per bin, the joint fit.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {fitSpectrumModel, type CurveDegrees, type SpectrumModel} from './background.js'
import {chiAt} from './defocus.js'
import type {RadialProfile} from './radial-profile.js'

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
  const state = {mean, cos2: 0, sin2: 0, phaseShift}
  for (let i = 0; i < out.length; i++) {
    const s = Math.sin(chiAt(c, state, p.k2[i], 0, 0))
    out[i] = s * s
  }
  return out
}

export function fitProfile(p: RadialProfile, w: Float64Array, c: ChiCoefficients, mean: number, phaseShift: number, degrees: CurveDegrees): SpectrumModel {
  return fitSpectrumModel(p.k, p.value, w, profileCtf2(p, c, mean, phaseShift), degrees)
}
