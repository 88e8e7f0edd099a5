// Small dense linear least squares (a dozen unknowns): normal equations solved by Gaussian
// elimination with partial pivoting and a tiny ridge, enough for smooth-curve and LM steps.

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
