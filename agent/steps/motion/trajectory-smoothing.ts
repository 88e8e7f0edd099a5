// Smoothing of a measured trajectory with a prior on its acceleration, the strength chosen by
// the data. At low dose per frame each frame's shift is measured with an error of the order of
// a pixel, while the specimen's motion is smooth; the posterior mean under
//   measured_f = true_f + e_f,  e_f ~ N(0, var_f),   second difference of true ~ N(0, tau^2)
// is a weighted smoothing spline, and tau (with how much more the first frames may accelerate,
// and a common scale of the variances) are the values that maximise the restricted marginal
// likelihood (REML) of the measurements.

export interface SmoothedTrajectory {
  values: number[][]
  /** Chosen prior and scale of the measurement variances. */
  prior: AccelerationPrior
  varianceScale: number
}

const TAUS = Array.from({length: 21}, (_, i) => Math.pow(10, -3 + (i * 5) / 20)) // 1e-3 .. 1e2
const SCALES = [0.25, 0.5, 1, 2, 4]
/**
 * Beam-induced motion accelerates most in the first frames: the prior's acceleration variance
 * is tau^2 (1 + boost exp(-frame / decay)), boost and decay chosen with tau.
 */
const BOOSTS = [0, 10, 100, 1000]
const DECAYS = [1, 2, 4]

export interface AccelerationPrior {
  tau: number
  boost: number
  decay: number
}

/**
 * series: one or more measured series (e.g. x and y) over the same frames, smoothed with one
 * shared prior; variances: measurement variance per series and frame. A frame more than 4
 * sigma off the smoothed path (in either series) is treated as an outlier. Fewer than 4
 * frames are returned as measured.
 */
export function smoothTrajectory(series: number[][], variances: number[][]): SmoothedTrajectory {
  const n = series[0].length
  if (n < 4) return {values: series.map((s) => s.slice()), prior: {tau: Infinity, boost: 0, decay: 1}, varianceScale: 1}
  const v = variances.map((s) => s.slice())
  let fit = fitPrior(series, v)
  // Outliers (a wrong correlation peak): a measurement far from what the other frames predict
  // (leave-one-out residual) loses its weight, and the prior is chosen again without it.
  for (let pass = 0; pass < 3; pass++) {
    const outliers = new Set<number>()
    series.forEach((y, i) => {
      const variance = v[i].map((x) => x * fit.scale)
      const {mean, inverseDiagonal} = posteriorMean(y, variance, fit.prior, true)
      y.forEach((value, f) => {
        // var(y_f - prediction from the others) = variance_f / (1 - h_f), h_f = (K^-1)_ff / variance_f.
        const keep = 1 - inverseDiagonal![f] / variance[f]
        const z = (value - mean[f]) / Math.sqrt(variance[f] * Math.max(keep, 1e-12))
        if (Math.abs(z) > OUTLIER_SIGMA && v[i][f] < variances[i][f] * 1e3) outliers.add(f)
      })
    })
    if (outliers.size === 0) break
    for (const f of outliers) for (const w of v) w[f] *= 1e4
    fit = fitPrior(series, v)
  }
  const values = series.map((s, i) => posteriorMean(s, v[i].map((x) => x * fit.scale), fit.prior).mean)
  return {values, prior: fit.prior, varianceScale: fit.scale}
}

const OUTLIER_SIGMA = 4

/** The prior and variance scale with the highest restricted likelihood on the grid. */
function fitPrior(series: number[][], variances: number[][]): {prior: AccelerationPrior; scale: number} {
  let best = {score: -Infinity, prior: {tau: TAUS[TAUS.length - 1], boost: 0, decay: 1}, scale: 1}
  for (const scale of SCALES) {
    for (const boost of BOOSTS) {
      for (const decay of boost === 0 ? [1] : DECAYS) {
        for (const tau of TAUS) {
          const prior = {tau, boost, decay}
          let score = 0
          for (let s = 0; s < series.length; s++) score += remlScore(series[s], variances[s].map((v) => v * scale), prior)
          if (score > best.score) best = {score, prior, scale}
        }
      }
    }
  }
  return best
}

/** Restricted log-likelihood (up to a constant) of y under the model above. */
export function remlScore(y: number[], variance: number[], prior: AccelerationPrior): number {
  const n = y.length
  const {mean, logDetK} = posteriorMean(y, variance, prior)
  // y'Py - y'PK^-1Py = sum P y (y - mean), since mean = K^-1 P y.
  let quad = 0
  let logDetP = 0
  for (let i = 0; i < n; i++) {
    quad += (y[i] * (y[i] - mean[i])) / variance[i]
    logDetP -= Math.log(variance[i])
  }
  let logDetQ = 0
  for (let r = 0; r + 2 < n; r++) logDetQ -= Math.log(accelerationVariance(prior, r + 1))
  return 0.5 * logDetQ + 0.5 * logDetP - 0.5 * logDetK - 0.5 * quad
}

function accelerationVariance(p: AccelerationPrior, frame: number): number {
  return p.tau * p.tau * (1 + p.boost * Math.exp(-frame / p.decay))
}

/** Posterior mean (P + D'QD)^-1 P y (Q: prior precision of the second differences), with log|K|. */
export function posteriorMean(y: number[], variance: number[], prior: AccelerationPrior, withInverseDiagonal = false): {mean: number[]; logDetK: number; inverseDiagonal?: number[]} {
  const n = y.length
  // K is pentadiagonal: bands[d][i] = K[i][i + d], d = 0, 1, 2.
  const k0 = new Float64Array(n)
  const k1 = new Float64Array(n)
  const k2 = new Float64Array(n)
  for (let r = 0; r + 2 < n; r++) {
    const t2 = 1 / accelerationVariance(prior, r + 1)
    // Row r of D is (1, -2, 1) at columns r, r+1, r+2: add its outer product.
    const c = [1, -2, 1]
    for (let a = 0; a < 3; a++) {
      k0[r + a] += t2 * c[a] * c[a]
      if (a < 2) k1[r + a] += t2 * c[a] * c[a + 1]
      if (a < 1) k2[r + a] += t2 * c[a] * c[a + 2]
    }
  }
  const rhs = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    k0[i] += 1 / variance[i]
    rhs[i] = y[i] / variance[i]
  }
  // Banded Cholesky K = L L', L lower with bandwidth 2.
  const l0 = new Float64Array(n)
  const l1 = new Float64Array(n) // L[i+1][i]
  const l2 = new Float64Array(n) // L[i+2][i]
  let logDetK = 0
  for (let i = 0; i < n; i++) {
    const a = i >= 1 ? l1[i - 1] : 0 // L[i][i-1]
    const b = i >= 2 ? l2[i - 2] : 0 // L[i][i-2]
    const d = k0[i] - a * a - b * b
    l0[i] = Math.sqrt(d)
    logDetK += Math.log(d)
    // L[i+1][i] = (K[i+1][i] - L[i+1][i-1] L[i][i-1]) / L[i][i]
    const c = i >= 1 ? l2[i - 1] : 0 // L[i+1][i-1]
    l1[i] = (k1[i] - c * a) / l0[i]
    l2[i] = k2[i] / l0[i]
  }
  const solve = (b: ArrayLike<number>): number[] => {
    const z = new Float64Array(n)
    for (let i = 0; i < n; i++) z[i] = (b[i] - (i >= 1 ? l1[i - 1] * z[i - 1] : 0) - (i >= 2 ? l2[i - 2] * z[i - 2] : 0)) / l0[i]
    const x = new Array<number>(n)
    for (let i = n - 1; i >= 0; i--) x[i] = (z[i] - (i + 1 < n ? l1[i] * x[i + 1] : 0) - (i + 2 < n ? l2[i] * x[i + 2] : 0)) / l0[i]
    return x
  }
  const mean = solve(rhs)
  if (!withInverseDiagonal) return {mean, logDetK}
  const unit = new Float64Array(n)
  const inverseDiagonal = Array.from({length: n}, (_, f) => {
    unit.fill(0)
    unit[f] = 1
    return solve(unit)[f]
  })
  return {mean, logDetK, inverseDiagonal}
}
