// The fitted quantities in a parametrisation that is linear in chi and has no angle wrap:
// defocus(a) = mean + cos2 * cos 2a + sin2 * sin 2a, i.e. half-astigmatism h = |(cos2, sin2)|
// at angle atan2(sin2, cos2) / 2. Converted to CTFFIND's (U >= V, angle in (-90, 90]) at the end.
import {chiCoefficients, ctfTerms, normalizeAstigmatism, type ChiCoefficients} from '../../../core/ctf/ctf-model.js'

export interface DefocusState {
  /** Mean defocus (A). */
  mean: number
  /** Astigmatism components (A). */
  cos2: number
  sin2: number
  /** Additional phase shift (rad). */
  phaseShift: number
}

export interface Optics {
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
}

/** chi coefficients without any phase shift (the fitted one is added per state). */
export function opticsCoefficients(o: Optics): ChiCoefficients {
  return chiCoefficients(ctfTerms({...o, defocusU: 0, defocusV: 0, defocusAngle: 0, phaseShift: 0}))
}

/** chi at one pixel (k2 = |k|^2, cos2 / sin2 of twice its azimuth). */
export function chiAt(c: ChiCoefficients, s: DefocusState, k2: number, cos2: number, sin2: number): number {
  const defocus = s.mean + s.cos2 * cos2 + s.sin2 * sin2
  return c.defocusTerm * defocus * k2 - c.quartic * k2 * k2 + c.constant + s.phaseShift
}

export function toCtffindConvention(s: DefocusState): {defocusU: number; defocusV: number; defocusAngle: number; phaseShift: number} {
  const h = Math.hypot(s.cos2, s.sin2)
  const angle = h > 0 ? (0.5 * Math.atan2(s.sin2, s.cos2) * 180) / Math.PI : 0
  const uva = normalizeAstigmatism(s.mean + h, s.mean - h, angle)
  const phase = (((s.phaseShift * 180) / Math.PI) % 180 + 180) % 180 // CTF^2 cannot tell phi from phi + 180
  return {...uva, phaseShift: phase}
}

export function fromCtffindConvention(u: number, v: number, angleDeg: number, phaseShiftDeg = 0): DefocusState {
  const h = 0.5 * (u - v)
  const a = (2 * angleDeg * Math.PI) / 180
  return {mean: 0.5 * (u + v), cos2: h * Math.cos(a), sin2: h * Math.sin(a), phaseShift: (phaseShiftDeg * Math.PI) / 180}
}
