// CTF numbers of any program into CtfResult's conventions: U >= V, angle in (-90, 90], phase
// shift in degrees, a finite fit resolution.
import {normalizeAstigmatism} from '../../../core/ctf/ctf-model.js'
import type {CtfResult} from '../../../core/results/index.js'

export interface RawCtf {
  defocusU: number
  defocusV: number
  angle: number
  phaseShiftDegrees: number
  resolution: number
  figureOfMerit: number
}

/** resolutionIfNone: what an infinite (no rings fit) resolution reads as, with a warning. */
export function toCtfResult(raw: RawCtf, resolutionIfNone: number): CtfResult {
  const {defocusU, defocusV, defocusAngle} = normalizeAstigmatism(raw.defocusU, raw.defocusV, raw.angle)
  const warnings: string[] = []
  let resolution = raw.resolution
  if (!Number.isFinite(resolution) || resolution <= 0) {
    warnings.push(`no Thon rings fit (resolution ${raw.resolution}); reported as ${resolutionIfNone} A`)
    resolution = resolutionIfNone
  }
  return {
    defocusU,
    defocusV,
    defocusAngle,
    phaseShift: raw.phaseShiftDegrees,
    resolution,
    figureOfMerit: raw.figureOfMerit,
    ...(warnings.length ? {warnings} : {}),
  }
}

export const degrees = (radians: number) => (radians * 180) / Math.PI
export const radians = (degrees: number) => (degrees * Math.PI) / 180
