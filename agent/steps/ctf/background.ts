// Background and envelope of a radial spectrum profile, fitted jointly with a given CTF^2:
// power(k) = background(k) + envelope(k) * CTF^2(k), both smooth (Chebyshev polynomials in k).
// Fitting them together, rather than box-filtering the rings away first, leaves the ring shape
// undistorted, which is what sub-0.1 % defocus accuracy at few rings (low defocus) needs.
import {weightedLeastSquares} from './least-squares.js'

/** A smooth curve over [kMin, kMax]: sum_j c_j T_j(t), t = 2 (k - kMin) / (kMax - kMin) - 1. */
export interface SmoothCurve {
  kMin: number
  kMax: number
  coefficients: Float64Array
}

export interface SpectrumModel {
  background: SmoothCurve
  envelope: SmoothCurve
  /** Weighted residual sum of squares of the fit. */
  rss: number
}

export interface CurveDegrees {
  background: number
  envelope: number
}

/** Fits background + envelope * ctf2 to profile values (weights: 1 / variance of each value). */
export function fitSpectrumModel(
  k: ArrayLike<number>,
  value: ArrayLike<number>,
  weight: ArrayLike<number>,
  ctf2: ArrayLike<number>,
  degrees: CurveDegrees,
): SpectrumModel {
  const n = k.length
  let kMin = Infinity
  let kMax = -Infinity
  for (let i = 0; i < n; i++) {
    kMin = Math.min(kMin, k[i])
    kMax = Math.max(kMax, k[i])
  }
  const nb = degrees.background + 1
  const ne = degrees.envelope + 1
  const basis = new Float64Array(Math.max(nb, ne))
  const fit = weightedLeastSquares(
    n,
    nb + ne,
    (i, row) => {
      chebyshev(toUnit(k[i], kMin, kMax), basis)
      for (let j = 0; j < nb; j++) row[j] = basis[j]
      for (let j = 0; j < ne; j++) row[nb + j] = basis[j] * ctf2[i]
    },
    value,
    weight,
  )
  return {
    background: {kMin, kMax, coefficients: fit.coefficients.slice(0, nb)},
    envelope: {kMin, kMax, coefficients: fit.coefficients.slice(nb)},
    rss: fit.rss,
  }
}

/** Value of a smooth curve at k (clamped to its range: no polynomial extrapolation). */
export function evaluateCurve(curve: SmoothCurve, k: number): number {
  const c = curve.coefficients
  const t = toUnit(Math.min(curve.kMax, Math.max(curve.kMin, k)), curve.kMin, curve.kMax)
  // Clenshaw recurrence for sum c_j T_j(t).
  let b1 = 0
  let b2 = 0
  for (let j = c.length - 1; j >= 1; j--) {
    const b0 = 2 * t * b1 - b2 + c[j]
    b2 = b1
    b1 = b0
  }
  return t * b1 - b2 + c[0]
}

function toUnit(k: number, kMin: number, kMax: number): number {
  return kMax > kMin ? (2 * (k - kMin)) / (kMax - kMin) - 1 : 0
}

/** T_0..T_{n-1} at t into out. */
function chebyshev(t: number, out: Float64Array): void {
  out[0] = 1
  if (out.length > 1) out[1] = t
  for (let j = 2; j < out.length; j++) out[j] = 2 * t * out[j - 1] - out[j - 2]
}
