/**
 * Complex 1D FFT of any length, Float64, on interleaved (re, im) data.
 *
 * Mixed-radix Stockham autosort (radix 4, 2, 3 and a generic odd radix) for lengths whose
 * prime factors are small; Bluestein's chirp-z convolution for lengths with a large prime
 * factor. Transforms are batched: `batch` vectors are interleaved element by element
 * (element i of vector b at complex index i * batch + b), so the innermost loop of every
 * butterfly runs over contiguous memory. That is what makes 2D column passes cache-friendly.
 * Forward uses exp(-2 pi i jk / n); both directions are unnormalised.
 */

/** Prime factors above this are handled by Bluestein instead of an O(p^2) butterfly. */
const MAX_DIRECT_RADIX = 61

export interface ComplexFft {
  readonly n: number
  /** In place on 2 * n * batch doubles. */
  transform(data: Float64Array, inverse: boolean, batch?: number): void
}

const planCache = new Map<number, ComplexFft>()

/** A cached plan for length n (n >= 1). Plans own scratch buffers: one thread each. */
export function complexFft(n: number): ComplexFft {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`)
  let plan = planCache.get(n)
  if (!plan) {
    const factors = factorize(n)
    plan = factors.some((p) => p > MAX_DIRECT_RADIX) ? new BluesteinFft(n) : new StockhamFft(n, factors)
    planCache.set(n, plan)
  }
  return plan
}

/** Radix order for Stockham stages: 4s first, then the remaining primes ascending. */
export function factorize(n: number): number[] {
  const factors: number[] = []
  let rest = n
  while (rest % 4 === 0) {
    factors.push(4)
    rest /= 4
  }
  for (let p = 2; p * p <= rest; p += p === 2 ? 1 : 2) {
    while (rest % p === 0) {
      factors.push(p)
      rest /= p
    }
  }
  if (rest > 1) factors.push(rest)
  return factors
}

interface Stage {
  p: number
  /** Sub-length after this stage: n_stage / p. */
  m: number
  /** Twiddles exp(-2 pi i j k / (p m)) for j < m, 1 <= k < p, at 2 * (j * (p - 1) + k - 1). */
  twiddles: Float64Array
  /** cos/sin(2 pi t / p) for the generic butterfly. */
  roots: Float64Array
}

class StockhamFft implements ComplexFft {
  private readonly stages: Stage[]
  private scratch = new Float64Array(0)

  constructor(
    readonly n: number,
    factors: number[],
  ) {
    this.stages = []
    let length = n
    for (const p of factors) {
      const m = length / p
      const twiddles = new Float64Array(2 * m * (p - 1))
      for (let j = 0; j < m; j++) {
        for (let k = 1; k < p; k++) {
          const angle = (-2 * Math.PI * ((j * k) % length)) / length
          const at = 2 * (j * (p - 1) + k - 1)
          twiddles[at] = Math.cos(angle)
          twiddles[at + 1] = Math.sin(angle)
        }
      }
      const roots = new Float64Array(2 * p)
      for (let t = 0; t < p; t++) {
        roots[2 * t] = Math.cos((2 * Math.PI * t) / p)
        roots[2 * t + 1] = Math.sin((2 * Math.PI * t) / p)
      }
      this.stages.push({p, m, twiddles, roots})
      length = m
    }
  }

  transform(data: Float64Array, inverse: boolean, batch = 1): void {
    const size = 2 * this.n * batch
    if (data.length < size) throw new RangeError(`FFT buffer holds ${data.length} doubles, need ${size}`)
    if (this.scratch.length < size) this.scratch = new Float64Array(size)
    const sign = inverse ? -1 : 1
    let x: Float64Array = data
    let y: Float64Array = this.scratch
    let stride = batch
    for (const stage of this.stages) {
      const butterfly =
        stage.p === 4 ? radix4 : stage.p === 2 ? radix2 : stage.p === 3 ? radix3 : radixGeneric
      butterfly(x, y, stage, stride, sign)
      const t = x
      x = y
      y = t
      stride *= stage.p
    }
    if (x !== data) data.set(x.subarray(0, size))
  }
}

type Butterfly = (x: Float64Array, y: Float64Array, stage: Stage, stride: number, sign: number) => void

// In all butterflies: input a_r = x[q + s (j + r m)], output y[q + s (p j + k)] = w^{jk} sum_r a_r w_p^{rk}.

const radix2: Butterfly = (x, y, {m, twiddles}, s, sign) => {
  for (let j = 0; j < m; j++) {
    const wr = twiddles[2 * j]
    const wi = sign * twiddles[2 * j + 1]
    const i0 = 2 * s * j
    const i1 = 2 * s * (j + m)
    const o0 = 2 * s * 2 * j
    const o1 = o0 + 2 * s
    for (let q = 0; q < 2 * s; q += 2) {
      const ar = x[i0 + q], ai = x[i0 + q + 1]
      const br = x[i1 + q], bi = x[i1 + q + 1]
      y[o0 + q] = ar + br
      y[o0 + q + 1] = ai + bi
      const dr = ar - br, di = ai - bi
      y[o1 + q] = dr * wr - di * wi
      y[o1 + q + 1] = dr * wi + di * wr
    }
  }
}

const radix3: Butterfly = (x, y, {m, twiddles}, s, sign) => {
  const h = sign * -0.8660254037844386 // -sin(2 pi / 3) for forward
  for (let j = 0; j < m; j++) {
    const w1r = twiddles[4 * j], w1i = sign * twiddles[4 * j + 1]
    const w2r = twiddles[4 * j + 2], w2i = sign * twiddles[4 * j + 3]
    const i0 = 2 * s * j
    const i1 = 2 * s * (j + m)
    const i2 = 2 * s * (j + 2 * m)
    const o0 = 2 * s * 3 * j
    const o1 = o0 + 2 * s
    const o2 = o1 + 2 * s
    for (let q = 0; q < 2 * s; q += 2) {
      const a0r = x[i0 + q], a0i = x[i0 + q + 1]
      const a1r = x[i1 + q], a1i = x[i1 + q + 1]
      const a2r = x[i2 + q], a2i = x[i2 + q + 1]
      const tr = a1r + a2r, ti = a1i + a2i
      const cr = a0r - 0.5 * tr, ci = a0i - 0.5 * ti
      // h * i * (a1 - a2)
      const dr = -h * (a1i - a2i), di = h * (a1r - a2r)
      y[o0 + q] = a0r + tr
      y[o0 + q + 1] = a0i + ti
      const b1r = cr + dr, b1i = ci + di
      const b2r = cr - dr, b2i = ci - di
      y[o1 + q] = b1r * w1r - b1i * w1i
      y[o1 + q + 1] = b1r * w1i + b1i * w1r
      y[o2 + q] = b2r * w2r - b2i * w2i
      y[o2 + q + 1] = b2r * w2i + b2i * w2r
    }
  }
}

const radix4: Butterfly = (x, y, {m, twiddles}, s, sign) => {
  for (let j = 0; j < m; j++) {
    const w1r = twiddles[6 * j], w1i = sign * twiddles[6 * j + 1]
    const w2r = twiddles[6 * j + 2], w2i = sign * twiddles[6 * j + 3]
    const w3r = twiddles[6 * j + 4], w3i = sign * twiddles[6 * j + 5]
    const i0 = 2 * s * j
    const i1 = 2 * s * (j + m)
    const i2 = 2 * s * (j + 2 * m)
    const i3 = 2 * s * (j + 3 * m)
    const o0 = 2 * s * 4 * j
    const o1 = o0 + 2 * s
    const o2 = o1 + 2 * s
    const o3 = o2 + 2 * s
    for (let q = 0; q < 2 * s; q += 2) {
      const a0r = x[i0 + q], a0i = x[i0 + q + 1]
      const a1r = x[i1 + q], a1i = x[i1 + q + 1]
      const a2r = x[i2 + q], a2i = x[i2 + q + 1]
      const a3r = x[i3 + q], a3i = x[i3 + q + 1]
      const s02r = a0r + a2r, s02i = a0i + a2i
      const d02r = a0r - a2r, d02i = a0i - a2i
      const s13r = a1r + a3r, s13i = a1i + a3i
      // -i * sign * (a1 - a3)
      const e13r = sign * (a1i - a3i), e13i = -sign * (a1r - a3r)
      y[o0 + q] = s02r + s13r
      y[o0 + q + 1] = s02i + s13i
      const b1r = d02r + e13r, b1i = d02i + e13i
      const b2r = s02r - s13r, b2i = s02i - s13i
      const b3r = d02r - e13r, b3i = d02i - e13i
      y[o1 + q] = b1r * w1r - b1i * w1i
      y[o1 + q + 1] = b1r * w1i + b1i * w1r
      y[o2 + q] = b2r * w2r - b2i * w2i
      y[o2 + q + 1] = b2r * w2i + b2i * w2r
      y[o3 + q] = b3r * w3r - b3i * w3i
      y[o3 + q + 1] = b3r * w3i + b3i * w3r
    }
  }
}

/** Odd prime radix: pairs a_r and a_{p-r} share cos/sin, halving the multiplications. */
const radixGeneric: Butterfly = (x, y, {p, m, twiddles, roots}, s, sign) => {
  const half = (p - 1) / 2
  const sumR = new Float64Array(half + 1), sumI = new Float64Array(half + 1)
  const difR = new Float64Array(half + 1), difI = new Float64Array(half + 1)
  for (let j = 0; j < m; j++) {
    const tw = 2 * j * (p - 1)
    const o0 = 2 * s * p * j
    for (let q = 0; q < 2 * s; q += 2) {
      const a0r = x[2 * s * j + q], a0i = x[2 * s * j + q + 1]
      let b0r = a0r, b0i = a0i
      for (let r = 1; r <= half; r++) {
        const ir = 2 * s * (j + r * m) + q
        const il = 2 * s * (j + (p - r) * m) + q
        sumR[r] = x[ir] + x[il]
        sumI[r] = x[ir + 1] + x[il + 1]
        difR[r] = x[ir] - x[il]
        difI[r] = x[ir + 1] - x[il + 1]
        b0r += sumR[r]
        b0i += sumI[r]
      }
      y[o0 + q] = b0r
      y[o0 + q + 1] = b0i
      for (let k = 1; k <= half; k++) {
        let cr = a0r, ci = a0i, er = 0, ei = 0
        for (let r = 1; r <= half; r++) {
          const t = (r * k) % p
          const c = roots[2 * t], sn = sign * roots[2 * t + 1]
          cr += c * sumR[r]
          ci += c * sumI[r]
          // -i sin * (a_r - a_{p-r})
          er += sn * difI[r]
          ei -= sn * difR[r]
        }
        const bkr = cr + er, bki = ci + ei // output k
        const bmr = cr - er, bmi = ci - ei // output p - k
        const wk = tw + 2 * (k - 1), wm = tw + 2 * (p - k - 1)
        const wkr = twiddles[wk], wki = sign * twiddles[wk + 1]
        const wmr = twiddles[wm], wmi = sign * twiddles[wm + 1]
        const ok = o0 + 2 * s * k + q, om = o0 + 2 * s * (p - k) + q
        y[ok] = bkr * wkr - bki * wki
        y[ok + 1] = bkr * wki + bki * wkr
        y[om] = bmr * wmr - bmi * wmi
        y[om + 1] = bmr * wmi + bmi * wmr
      }
    }
  }
}

/** Chirp-z: a length-n DFT as a circular convolution of power-of-two length >= 2n - 1. */
class BluesteinFft implements ComplexFft {
  private readonly m: number
  private readonly inner: ComplexFft
  /** exp(-i pi k^2 / n), k < n. */
  private readonly chirp: Float64Array
  /** FFT of the conjugate chirp, wrapped circularly, pre-divided by m. */
  private readonly kernel: Float64Array
  private readonly work: Float64Array

  constructor(readonly n: number) {
    let m = 1
    while (m < 2 * n - 1) m *= 2
    this.m = m
    this.inner = complexFft(m)
    this.chirp = new Float64Array(2 * n)
    for (let k = 0; k < n; k++) {
      const angle = (-Math.PI * ((k * k) % (2 * n))) / n
      this.chirp[2 * k] = Math.cos(angle)
      this.chirp[2 * k + 1] = Math.sin(angle)
    }
    this.kernel = new Float64Array(2 * m)
    for (let k = 0; k < n; k++) {
      const re = this.chirp[2 * k] / m, im = -this.chirp[2 * k + 1] / m
      this.kernel[2 * k] = re
      this.kernel[2 * k + 1] = im
      if (k > 0) {
        this.kernel[2 * (m - k)] = re
        this.kernel[2 * (m - k) + 1] = im
      }
    }
    this.inner.transform(this.kernel, false)
    this.work = new Float64Array(2 * m)
  }

  transform(data: Float64Array, inverse: boolean, batch = 1): void {
    const {n, m, chirp, kernel, work} = this
    if (data.length < 2 * n * batch) throw new RangeError(`FFT buffer holds ${data.length} doubles, need ${2 * n * batch}`)
    // The inverse is conj(forward(conj(x))): conjugate on the way in and on the way out.
    const conj = inverse ? -1 : 1
    for (let b = 0; b < batch; b++) {
      work.fill(0)
      for (let k = 0; k < n; k++) {
        const at = 2 * (k * batch + b)
        const xr = data[at], xi = conj * data[at + 1]
        const cr = chirp[2 * k], ci = chirp[2 * k + 1]
        work[2 * k] = xr * cr - xi * ci
        work[2 * k + 1] = xr * ci + xi * cr
      }
      this.inner.transform(work, false)
      for (let k = 0; k < m; k++) {
        const ar = work[2 * k], ai = work[2 * k + 1]
        const br = kernel[2 * k], bi = kernel[2 * k + 1]
        work[2 * k] = ar * br - ai * bi
        work[2 * k + 1] = ar * bi + ai * br
      }
      this.inner.transform(work, true)
      for (let k = 0; k < n; k++) {
        const at = 2 * (k * batch + b)
        const ar = work[2 * k], ai = work[2 * k + 1]
        const cr = chirp[2 * k], ci = chirp[2 * k + 1]
        data[at] = ar * cr - ai * ci
        data[at + 1] = conj * (ar * ci + ai * cr)
      }
    }
  }
}
