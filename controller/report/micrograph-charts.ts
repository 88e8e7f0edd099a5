// The per-micrograph charts, made once per micrograph with its images (not per build): the
// fitted CTF^2 along the mean defocus, and the drift trajectory.
import {ctfTerms, ctfValue} from '../../core/ctf/ctf-model.js'
import type {CtfRow, ReportData} from './export-types.js'
import {miniChart} from './svg-chart.js'

/** CTF^2 from 0 to a little past the fit resolution (or Nyquist); the dashed line marks the fit. */
export function ctfCurve(ctf: CtfRow, pixelSize: number, optics: ReportData['optics']): string {
  const terms = ctfTerms({...optics, defocusU: ctf.defocusU, defocusV: ctf.defocusV, defocusAngle: ctf.defocusAngle, phaseShift: ctf.phaseShift})
  const kMax = Math.min(1 / (2 * pixelSize), 1.25 / ctf.resolution)
  const n = 300
  const points: [number, number][] = Array.from({length: n + 1}, (_, i) => {
    const k = (i / n) * kMax
    return [k, ctfValue(terms, k, terms.angleRad + Math.PI / 4) ** 2]
  })
  return miniChart([{points, color: '#1f6fb4', label: 'CTF² at mean defocus'}], {
    xLabel: 'Spatial frequency (1/Å)',
    yLabel: 'CTF²',
    marker: {x: 1 / ctf.resolution, label: `fit to ${ctf.resolution.toFixed(1)} Å`},
  })
}

/** Frame-by-frame shifts (px), frame 1 at the origin. */
export function trajectory(shifts: [number, number][]): string {
  return miniChart([{points: shifts, color: '#1f6fb4', label: `${shifts.length} frames`, dots: true}], {xLabel: 'x shift (px)', yLabel: 'y shift (px)', equalAxes: true})
}
