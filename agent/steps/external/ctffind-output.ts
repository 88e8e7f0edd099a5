// Parsers for CTFFIND4/5's output files (CTFFIND's documentation and the header of its own
// <diag>.txt): comment lines start with '#'; one data line per micrograph with number,
// defocus 1, defocus 2 (A), azimuth (deg), phase shift (rad), cross-correlation, fit
// resolution (A) [v5: tilt axis, tilt angle (deg), thickness (A)]. <diag>_avrot.txt: comment
// lines, then 6 lines per micrograph.
import {ExternalProgramError} from './errors.js'

export interface CtffindLine {
  defocus1: number
  defocus2: number
  azimuth: number
  /** Radians, as CTFFIND writes it. */
  phaseShiftRad: number
  crossCorrelation: number
  /** A; Infinity when CTFFIND wrote "inf" (no rings fit). */
  resolution: number
  tiltAxis?: number
  tiltAngle?: number
  thickness?: number
}

export interface CtffindProfile {
  frequency: number[]
  rotationalAverage: number[]
  astigmatismAware: number[]
  fit: number[]
  correlation: number[]
  twoSigma: number[]
}

function dataLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** Numbers as CTFFIND prints them, including "inf" / "Infinity" / "nan". */
function numbers(line: string): number[] {
  return line.split(/\s+/).map((w) => {
    if (/^[+]?inf(inity)?$/i.test(w)) return Infinity
    return Number(w)
  })
}

export function parseCtffindTxt(text: string, file: string): CtffindLine {
  const line = dataLines(text)[0]
  const v = line === undefined ? [] : numbers(line)
  if (v.length < 7 || v.slice(1, 6).some((x) => !Number.isFinite(x)) || Number.isNaN(v[6])) {
    throw new ExternalProgramError('ctffind', 'unparseable', `${file}: expected a data line of at least 7 numbers, got ${JSON.stringify(line ?? '(none)')}`)
  }
  const result: CtffindLine = {defocus1: v[1], defocus2: v[2], azimuth: v[3], phaseShiftRad: v[4], crossCorrelation: v[5], resolution: v[6]}
  if (v.length >= 10) Object.assign(result, {tiltAxis: v[7], tiltAngle: v[8], thickness: v[9]})
  return result
}

export function parseCtffindAvrot(text: string, file: string): CtffindProfile {
  const lines = dataLines(text).slice(0, 6).map(numbers)
  const n = lines[0]?.length ?? 0
  if (lines.length < 6 || n === 0 || lines.some((l) => l.length !== n || l.some((x) => Number.isNaN(x)))) {
    throw new ExternalProgramError('ctffind', 'unparseable', `${file}: expected 6 lines of ${n || 'N'} numbers (frequency, averages, fit, CC, 2 sigma)`)
  }
  const [frequency, rotationalAverage, astigmatismAware, fit, correlation, twoSigma] = lines
  return {frequency, rotationalAverage, astigmatismAware, fit, correlation, twoSigma}
}
