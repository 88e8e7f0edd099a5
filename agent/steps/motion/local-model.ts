// RELION's local motion model (ThirdOrderPolynomialModel): per axis,
//   shift(x, y, z) = sum over {1, x, x^2, y, y^2, xy} x {z, z^2, z^3} of coeff * term,
// x, y = position / size - 0.5, z = frame index from the first frame (no z^0 term, so the
// first frame does not move). Coefficient order as RELION: the z-powers innermost.

export const LOCAL_MODEL_TERMS = 18

export interface LocalObservation {
  /** Normalised position (x / width - 0.5, y / height - 0.5) and frame time z. */
  x: number
  y: number
  z: number
  shiftX: number
  shiftY: number
}

export function modelTerms(x: number, y: number, z: number, out = new Float64Array(LOCAL_MODEL_TERMS)): Float64Array {
  const spatial = [1, x, x * x, y, y * y, x * y]
  for (let s = 0; s < 6; s++) {
    out[3 * s] = spatial[s] * z
    out[3 * s + 1] = spatial[s] * z * z
    out[3 * s + 2] = spatial[s] * z * z * z
  }
  return out
}

export function evaluateModel(coeff: ArrayLike<number>, x: number, y: number, z: number): number {
  const t = modelTerms(x, y, z)
  let v = 0
  for (let i = 0; i < LOCAL_MODEL_TERMS; i++) v += coeff[i] * t[i]
  return v
}

export interface LocalFit {
  coeffX: number[]
  coeffY: number[]
  /** RMS residual of the fit per axis (px). */
  rmsX: number
  rmsY: number
}

/** Least-squares fit (normal equations, Cholesky with a tiny ridge against rank deficiency). */
export function fitLocalModel(observations: LocalObservation[]): LocalFit | null {
  const n = LOCAL_MODEL_TERMS
  if (observations.length <= n) return null
  const ata = new Float64Array(n * n)
  const atx = new Float64Array(n)
  const aty = new Float64Array(n)
  const t = new Float64Array(n)
  for (const o of observations) {
    modelTerms(o.x, o.y, o.z, t)
    for (let i = 0; i < n; i++) {
      atx[i] += t[i] * o.shiftX
      aty[i] += t[i] * o.shiftY
      for (let j = 0; j <= i; j++) ata[i * n + j] += t[i] * t[j]
    }
  }
  let trace = 0
  for (let i = 0; i < n; i++) trace += ata[i * n + i]
  for (let i = 0; i < n; i++) ata[i * n + i] += 1e-12 * trace
  const l = cholesky(ata, n)
  if (!l) return null
  const coeffX = Array.from(choleskySolve(l, n, atx))
  const coeffY = Array.from(choleskySolve(l, n, aty))
  let sx = 0
  let sy = 0
  for (const o of observations) {
    sx += (o.shiftX - evaluateModel(coeffX, o.x, o.y, o.z)) ** 2
    sy += (o.shiftY - evaluateModel(coeffY, o.x, o.y, o.z)) ** 2
  }
  return {coeffX, coeffY, rmsX: Math.sqrt(sx / observations.length), rmsY: Math.sqrt(sy / observations.length)}
}

/** Lower-triangular L with A = L L^T (A symmetric, lower triangle filled), or null. */
function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k]
      if (i === j) {
        if (!(s > 0)) return null
        l[i * n + i] = Math.sqrt(s)
      } else {
        l[i * n + j] = s / l[j * n + j]
      }
    }
  }
  return l
}

function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = b[i]
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k]
    y[i] = s / l[i * n + i]
  }
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k]
    x[i] = s / l[i * n + i]
  }
  return x
}
