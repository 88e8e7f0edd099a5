/**
 * The algebra of real-row transforms, shared by both backends.
 *
 * Even widths: the width reals packed as width/2 complex values z_n = x_2n + i x_2n+1 go
 * through one half-length complex FFT Z; then X_k = E_k + w^k O_k with E = (Z_k + conj Z_{h-k})/2,
 * O = (Z_k - conj Z_{h-k})/2i and w = exp(-2 pi i / width). Odd widths use a full-length
 * complex FFT of the Hermitian row instead.
 */
export type FloatArray = Float32Array | Float64Array

/** exp(-2 pi i k / width) for k = 0..width/2, interleaved (even widths). */
export function halfLengthTwiddles(width: number): Float64Array {
  const half = width / 2
  const tw = new Float64Array(2 * (half + 1))
  for (let k = 0; k <= half; k++) {
    const angle = (-2 * Math.PI * k) / width
    tw[2 * k] = Math.cos(angle)
    tw[2 * k + 1] = Math.sin(angle)
  }
  return tw
}

/** Z (half complex values at z[zAt]) to the half-complex row X_0..X_half at dst[dstAt]. */
export function splitHalfLength(z: FloatArray, zAt: number, half: number, tw: Float64Array, dst: FloatArray, dstAt: number): void {
  for (let k = 0; k <= half; k++) {
    const a = zAt + 2 * (k === half ? 0 : k)
    const b = zAt + 2 * (k === 0 ? 0 : half - k)
    const ar = z[a], ai = z[a + 1]
    const br = z[b], bi = z[b + 1]
    const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi)
    const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br)
    const wr = tw[2 * k], wi = tw[2 * k + 1]
    dst[dstAt + 2 * k] = er + or * wr - oi * wi
    dst[dstAt + 2 * k + 1] = ei + or * wi + oi * wr
  }
}

/**
 * The half-complex row X_0..X_half at src[srcAt] to 2 Z (half complex values at z[zAt]); the
 * inverse half-length FFT of that is width * z. DC and Nyquist imaginary parts are ignored.
 */
export function mergeHalfLength(src: FloatArray, srcAt: number, half: number, tw: Float64Array, z: FloatArray, zAt: number): void {
  for (let k = 0; k < half; k++) {
    const xr = src[srcAt + 2 * k], xi = k === 0 ? 0 : src[srcAt + 2 * k + 1]
    const yr = src[srcAt + 2 * (half - k)], yi = k === 0 ? 0 : -src[srcAt + 2 * (half - k) + 1] // conj X_{h-k}
    const er = xr + yr, ei = xi + yi
    const dr = xr - yr, di = xi - yi
    // O = D conj(w^k); Z = E + i O.
    const wr = tw[2 * k], wi = tw[2 * k + 1]
    const or = dr * wr + di * wi, oi = di * wr - dr * wi
    z[zAt + 2 * k] = er - oi
    z[zAt + 2 * k + 1] = ei + or
  }
}

/** Expands a half-complex row of an odd or even width into the full Hermitian row (DC, Nyquist real). */
export function hermitianRow(src: FloatArray, srcAt: number, width: number, dst: FloatArray, dstAt: number): void {
  const hw = Math.floor(width / 2) + 1
  for (let k = 0; k < hw; k++) {
    const re = src[srcAt + 2 * k]
    const im = k === 0 || 2 * k === width ? 0 : src[srcAt + 2 * k + 1]
    dst[dstAt + 2 * k] = re
    dst[dstAt + 2 * k + 1] = im
    if (k > 0 && 2 * k !== width) {
      dst[dstAt + 2 * (width - k)] = re
      dst[dstAt + 2 * (width - k) + 1] = -im
    }
  }
}
