// Background and envelope of a radial spectrum profile, fitted jointly with a given CTF^2:
// power(k) = background(k) + envelope(k) * CTF^2(k), both smooth (Chebyshev polynomials in k).
// Fitting them together, rather than box-filtering the rings away first, leaves the ring shape
// undistorted, which is what sub-0.1 % defocus accuracy at few rings (low defocus) needs.
import {solveNormalEquations} from './least-squares.js'

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
  return new SpectrumModelFitter(k, value, weight, degrees).fit(ctf2)
}

/**
 * The same fit for many candidate CTF^2 curves over one profile (the defocus search): the basis,
 * the background block of the normal equations and y'Wy are computed once.
 */
export class SpectrumModelFitter {
  private readonly n: number
  private readonly nb: number
  private readonly ne: number
  private readonly kMin: number
  private readonly kMax: number
  /** Chebyshev basis T_0..T_{stride-1} per sample, row-major. */
  private readonly basis: Float64Array
  private readonly stride: number
  private readonly backgroundBlock: Float64Array
  private readonly backgroundRhs: Float64Array
  private readonly yy: number

  constructor(
    k: ArrayLike<number>,
    private readonly value: ArrayLike<number>,
    private readonly weight: ArrayLike<number>,
    degrees: CurveDegrees,
  ) {
    const n = k.length
    const nb = degrees.background + 1
    const stride = Math.max(nb, degrees.envelope + 1)
    let kMin = Infinity
    let kMax = -Infinity
    for (let i = 0; i < n; i++) {
      kMin = Math.min(kMin, k[i])
      kMax = Math.max(kMax, k[i])
    }
    const basis = new Float64Array(n * stride)
    const row = new Float64Array(stride)
    const block = new Float64Array(nb * nb)
    const rhs = new Float64Array(nb)
    let yy = 0
    for (let i = 0; i < n; i++) {
      chebyshev(toUnit(k[i], kMin, kMax), row)
      basis.set(row, i * stride)
      const w = weight[i]
      yy += w * value[i] * value[i]
      for (let a = 0; a < nb; a++) {
        const wa = w * row[a]
        rhs[a] += wa * value[i]
        for (let b = 0; b < nb; b++) block[a * nb + b] += wa * row[b]
      }
    }
    this.n = n
    this.nb = nb
    this.ne = degrees.envelope + 1
    this.kMin = kMin
    this.kMax = kMax
    this.basis = basis
    this.stride = stride
    this.backgroundBlock = block
    this.backgroundRhs = rhs
    this.yy = yy
  }

  fit(ctf2: ArrayLike<number>): SpectrumModel {
    const {coefficients, rss} = this.solve(ctf2)
    return {
      background: {kMin: this.kMin, kMax: this.kMax, coefficients: coefficients.slice(0, this.nb)},
      envelope: {kMin: this.kMin, kMax: this.kMax, coefficients: coefficients.slice(this.nb)},
      rss,
    }
  }

  rss(ctf2: ArrayLike<number>): number {
    return this.solve(ctf2).rss
  }

  private solve(ctf2: ArrayLike<number>): {coefficients: Float64Array; rss: number} {
    const {n, nb, ne, basis, stride, weight, value} = this
    const m = nb + ne
    const normal = new Float64Array(m * m)
    const rhs = new Float64Array(m)
    for (let a = 0; a < nb; a++) {
      rhs[a] = this.backgroundRhs[a]
      for (let b = 0; b < nb; b++) normal[a * m + b] = this.backgroundBlock[a * nb + b]
    }
    for (let i = 0; i < n; i++) {
      const at = i * stride
      const wc = weight[i] * ctf2[i]
      const wcc = wc * ctf2[i]
      for (let e = 0; e < ne; e++) {
        const te = basis[at + e]
        rhs[nb + e] += wc * te * value[i]
        for (let a = 0; a < nb; a++) normal[a * m + nb + e] += wc * basis[at + a] * te
        for (let f = e; f < ne; f++) normal[(nb + e) * m + nb + f] += wcc * te * basis[at + f]
      }
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) normal[a * m + b] = normal[b * m + a]
    return solveNormalEquations(normal, rhs, m, this.yy)
  }
}

/**
 * Background, envelope (clamped at 0) and the mean power level background + envelope / 2 at k:
 * periodogram noise is proportional to that level, so dividing by it whitens the noise.
 */
export function spectrumLevels(model: SpectrumModel, k: number): {background: number; envelope: number; level: number} {
  const background = evaluateCurve(model.background, k)
  const envelope = Math.max(0, evaluateCurve(model.envelope, k))
  return {background, envelope, level: Math.max(background + 0.5 * envelope, 1e-30)}
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
