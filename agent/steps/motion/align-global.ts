// Iterative alignment of a set of (low-resolution, B-factor filtered) frame spectra: each frame
// is cross-correlated with the sum of the others. The first iteration finds the integer peak
// of the correlation map (computed on a coarse grid) and refines it with a parabola; later
// iterations take Newton steps on the continuous correlation, whose gradient and Hessian at
// the current position are moments of the cross-power spectrum. That removes the parabola's
// bias and costs one pass over the spectrum per frame instead of an inverse FFT.
import {realFft2D} from '../../../core/numeric/fft.js'
import {fourierShift} from '../../../core/numeric/fourier-shift.js'
import {halfWidth, rowFrequency, spectrumLength} from '../../../core/numeric/half-complex.js'
import {findPeak} from './peak.js'
import {smoothTrajectory} from './trajectory-smoothing.js'

export interface AlignOptions {
  /** Iterations at most. */
  maxIterations: number
  /** Stop when the RMS of the per-frame updates (px) is below this. */
  tolerance: number
  /** Largest shift searched for (px). */
  searchRange: number
  /** Size of the correlation map of the first (coarse) search; at most the spectra's size. */
  coarseWidth: number
  coarseHeight: number
  /** Smooth the trajectory with an acceleration prior of data-chosen strength (trajectory-smoothing.ts). */
  smooth: boolean
}

export interface AlignResult {
  /** Shift applied to each frame (px, content moves by +shift), frame 0 = [0, 0]. */
  shifts: [number, number][]
  iterations: number
  converged: boolean
  /** RMS update (px) of each iteration. */
  updates: number[]
}

/** A Newton step longer than this (px) is not trusted: the frame gets a coarse search again. */
const MAX_NEWTON_STEP = 2

/**
 * Aligns `spectra` (half-complex, width x height, modified in place: on return each is shifted
 * by its result) and returns the shifts in pixels of this width x height grid.
 */
export function alignSpectra(spectra: Float32Array[], width: number, height: number, options: AlignOptions): AlignResult {
  const n = spectra.length
  const reference = new Float32Array(spectrumLength(width, height))
  const shifts: [number, number][] = spectra.map(() => [0, 0])
  const updates: number[] = []
  const coarse = new CoarseSearch(width, height, options)
  let converged = false
  let iterations = 0
  for (let iter = 1; iter <= options.maxIterations && !converged; iter++) {
    iterations = iter
    sumInto(reference, spectra)
    // Each frame moves towards the others while they move towards it: taking (n - 1) / n of
    // every step lands all frames on their common mean at once (RELION's full steps overshoot
    // by n / (n - 1), and for two frames swap them forever).
    const damping = (n - 1) / n
    const measured = spectra.map((s) => damp((iter === 1 ? null : newtonStep(reference, s, width, height)) ?? coarse.step(reference, s), damping))
    let steps = measured.map((m): [number, number] => [m.dx, m.dy])
    if (options.smooth && iter > 1) steps = smoothedSteps(shifts, measured)
    // Frame 0 is the origin, as in RELION.
    const [x0, y0] = steps[0]
    let sum2 = 0
    for (let f = 0; f < n; f++) {
      const dx = steps[f][0] - x0
      const dy = steps[f][1] - y0
      fourierShift(spectra[f], width, height, dx, dy)
      shifts[f][0] += dx
      shifts[f][1] += dy
      sum2 += dx * dx + dy * dy
    }
    const rms = Math.sqrt(sum2 / n)
    updates.push(rms)
    converged = rms < options.tolerance
  }
  return {shifts, iterations, converged, updates}
}

function damp(s: NewtonStep, k: number): NewtonStep {
  return {dx: k * s.dx, dy: k * s.dy, varX: k * k * s.varX, varY: k * k * s.varY}
}

/** Steps that move each frame to the smoothed trajectory through the measured positions. */
function smoothedSteps(shifts: [number, number][], steps: NewtonStep[]): [number, number][] {
  const measured = [shifts.map((s, f) => s[0] + steps[f].dx), shifts.map((s, f) => s[1] + steps[f].dy)]
  const variances = [steps.map((s) => s.varX), steps.map((s) => s.varY)]
  const smooth = smoothTrajectory(measured, variances).values
  return shifts.map((s, f) => [smooth[0][f] - s[0], smooth[1][f] - s[1]])
}

function sumInto(target: Float32Array, spectra: Float32Array[]): void {
  target.fill(0)
  for (const s of spectra) for (let i = 0; i < s.length; i++) target[i] += s[i]
}

/**
 * Newton step towards the maximum of CC(d) = sum_k Re[(R - G) conj(G) e^{2 pi i k.d}] from d = 0,
 * or null where the correlation is not locally concave or the step is too long.
 */
export function newtonStep(reference: Float32Array, frame: Float32Array, width: number, height: number): NewtonStep | null {
  const hw = halfWidth(width)
  let gx = 0, gy = 0, hxx = 0, hyy = 0, hxy = 0, vx = 0, vy = 0
  for (let j = 0; j < height; j++) {
    const fy = rowFrequency(j, height) / height
    let rgx = 0, rhxx = 0, rhxy = 0, rIm = 0, rRe = 0, rvx = 0, rv = 0
    for (let i = 0; i < hw; i++) {
      const at = 2 * (j * hw + i)
      const gRe = frame[at], gIm = frame[at + 1]
      const oRe = reference[at] - gRe, oIm = reference[at + 1] - gIm
      // C = (R - G) conj(G); column kx > 0 stands for itself and its Hermitian mirror.
      const w = i === 0 ? 1 : 2
      const cRe = w * (oRe * gRe + oIm * gIm)
      const cIm = w * (oIm * gRe - oRe * gIm)
      const fx = i / width
      rgx += fx * cIm
      rhxx += fx * fx * cRe
      rhxy += fx * cRe
      rIm += cIm
      rRe += cRe
      // The frame's own power stands in for its noise power (low dose: noise dominates it).
      const noise = w * w * (oRe * oRe + oIm * oIm) * (gRe * gRe + gIm * gIm)
      rvx += fx * fx * noise
      rv += noise
    }
    gx += rgx
    gy += fy * rIm
    hxx += rhxx
    hxy += fy * rhxy
    hyy += fy * fy * rRe
    vx += rvx
    vy += fy * fy * rv
  }
  // d = -M^-1 g / (2 pi) with M the (positive definite at a maximum) moment matrix.
  const det = hxx * hyy - hxy * hxy
  if (!(hxx > 0 && det > 0)) return null
  const dx = -(hyy * gx - hxy * gy) / det / (2 * Math.PI)
  const dy = -(hxx * gy - hxy * gx) / det / (2 * Math.PI)
  if (!(Math.hypot(dx, dy) <= MAX_NEWTON_STEP)) return null
  // var(g) = sum w^2 f^2 |O|^2 N / 2; var(d) ~ var(g) / (2 pi M)^2 per axis.
  return {dx, dy, varX: (0.5 * vx) / (2 * Math.PI * hxx) ** 2, varY: (0.5 * vy) / (2 * Math.PI * hyy) ** 2}
}

/** A measured step: Newton's, or the coarse search's where Newton has no answer. */
export interface NewtonStep {
  dx: number
  dy: number
  /** Estimated variance (px^2) of the step: from the frame's noise (Newton), or the grid (coarse). */
  varX: number
  varY: number
}

/** Peak search on a coarse correlation map: the cross-power spectrum cropped, inverse FFT. */
class CoarseSearch {
  private readonly cw: number
  private readonly ch: number
  private readonly cross: Float32Array
  private readonly map: Float32Array

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly options: AlignOptions,
  ) {
    this.cw = Math.min(width, options.coarseWidth)
    this.ch = Math.min(height, options.coarseHeight)
    this.cross = new Float32Array(spectrumLength(this.cw, this.ch))
    this.map = new Float32Array(this.cw * this.ch)
  }

  /** Shift (px of the fine grid) that best aligns frame to (reference - frame). */
  step(reference: Float32Array, frame: Float32Array): NewtonStep {
    const {cw, ch, width, height, cross} = this
    const hw = halfWidth(width)
    const chw = halfWidth(cw)
    for (let j = 0; j < ch; j++) {
      const ky = rowFrequency(j, ch)
      const src = ky >= 0 ? ky : ky + height
      for (let i = 0; i < chw; i++) {
        const at = 2 * (src * hw + i)
        const gRe = frame[at], gIm = frame[at + 1]
        const oRe = reference[at] - gRe, oIm = reference[at + 1] - gIm
        const to = 2 * (j * chw + i)
        cross[to] = oRe * gRe + oIm * gIm
        cross[to + 1] = oIm * gRe - oRe * gIm
      }
    }
    realFft2D(cw, ch).inverse(cross, this.map)
    const sx = width / cw
    const sy = height / ch
    const p = findPeak(this.map, cw, ch, this.options.searchRange / Math.max(sx, sy))
    // A parabola through a coarse grid is good to about half a coarse pixel.
    return {dx: p.x * sx, dy: p.y * sy, varX: (0.5 * sx) ** 2, varY: (0.5 * sy) ** 2}
  }
}
