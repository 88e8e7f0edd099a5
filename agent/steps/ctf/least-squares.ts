// Small dense weighted linear least squares (a dozen unknowns): normal equations solved by
// Gaussian elimination with partial pivoting and a tiny ridge, enough for smooth-curve fits.

/**
 * Minimises sum_i w_i (y_i - sum_j X_ij c_j)^2. `design(i, row)` fills row i of X (length n).
 * Returns the coefficients and the weighted residual sum of squares.
 */
export function weightedLeastSquares(
  samples: number,
  unknowns: number,
  design: (i: number, row: Float64Array) => void,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
): {coefficients: Float64Array; rss: number} {
  const n = unknowns
  const normal = new Float64Array(n * n)
  const rhs = new Float64Array(n)
  const row = new Float64Array(n)
  let yy = 0
  for (let i = 0; i < samples; i++) {
    design(i, row)
    const wi = w[i]
    const wy = wi * y[i]
    yy += wy * y[i]
    for (let a = 0; a < n; a++) {
      const wa = wi * row[a]
      rhs[a] += row[a] * wy
      for (let b = a; b < n; b++) normal[a * n + b] += wa * row[b]
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) normal[a * n + b] = normal[b * n + a]
  return solveNormalEquations(normal, rhs, n, yy)
}

/**
 * Solves the normal equations (X'WX) c = X'Wy (destroying both) with a tiny ridge against
 * near-collinear bases; yy = y'Wy gives the residual sum of squares without another pass.
 */
export function solveNormalEquations(normal: Float64Array, rhs: Float64Array, n: number, yy: number): {coefficients: Float64Array; rss: number} {
  let trace = 0
  for (let a = 0; a < n; a++) trace += normal[a * n + a]
  for (let a = 0; a < n; a++) normal[a * n + a] += 1e-10 * (trace / n) + 1e-300
  const saved = rhs.slice()
  const coefficients = solveLinear(normal, rhs, n)
  // rss = y'Wy - c'X'Wy at the solution of the normal equations.
  let fit = 0
  for (let a = 0; a < n; a++) fit += coefficients[a] * saved[a]
  return {coefficients, rss: Math.max(0, yy - fit)}
}

/** Solves A x = b (A n x n, row-major), destroying A and b. */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]]
      ;[b[col], b[pivot]] = [b[pivot], b[col]]
    }
    const d = a[col * n + col]
    if (d === 0) continue
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / d
      if (f === 0) continue
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c]
      b[r] -= f * b[col]
    }
  }
  const x = new Float64Array(n)
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]
    for (let c = r + 1; c < n; c++) s -= a[r * n + c] * x[c]
    const d = a[r * n + r]
    x[r] = d === 0 ? 0 : s / d
  }
  return x
}
