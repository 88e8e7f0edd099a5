// Realism: the simulated micrograph's power spectrum has its Thon-ring minima where the CTF
// formula (core/ctf/ctf-model.ts) puts its zeros, within 1 PSD pixel, isotropic and astigmatic.
import {describe, expect, it} from 'vitest'
import {chi, ctfTerms, type CtfParameters} from '../../core/ctf/ctf-model.js'
import {halfWidth, realFft2D} from '../../core/numeric/fft.js'
import {powerSpectrum} from '../../core/numeric/radial-average.js'
import {simulateMicrograph} from './movie.js'
import {fixedMovieOptions} from './test-support.js'

const SIZE = 1024
const STEP = 0.01

/** chi along one azimuth, tabulated per STEP px of PSD radius. */
function chiTable(p: CtfParameters, pixelSize: number, azimuthRad: number): Float64Array {
  const t = ctfTerms(p)
  return Float64Array.from({length: Math.ceil(SIZE / 2 / STEP) + 1}, (_, n) => chi(t, (n * STEP) / (SIZE * pixelSize), azimuthRad))
}

/**
 * PSD profile (one value per PSD pixel) where each bin is placed at the radius along
 * `azimuthDeg` that has the same chi: the "elliptical" average. Rings only line up if the
 * image's astigmatism matches the formula's defocus and angle.
 */
function equivalentRadiusProfile(image: Float32Array, p: CtfParameters, pixelSize: number, azimuthDeg: number): Float64Array {
  const t = ctfTerms(p)
  const table = chiTable(p, pixelSize, (azimuthDeg * Math.PI) / 180)
  let mean = 0
  for (const v of image) mean += v
  mean /= image.length
  const psd = powerSpectrum(realFft2D(SIZE, SIZE).forward(image.map((v) => v - mean)), SIZE, SIZE)
  const hw = halfWidth(SIZE)
  const sum = new Float64Array(SIZE / 2 + 1)
  const count = new Float64Array(SIZE / 2 + 1)
  for (let j = 0; j < SIZE; j++) {
    const ky = j <= SIZE / 2 ? j : j - SIZE
    for (let i = 0; i < hw; i++) {
      const r = Math.hypot(i, ky)
      if (r === 0 || r > SIZE / 2) continue
      const c = chi(t, r / (SIZE * pixelSize), Math.atan2(ky, i))
      const bin = Math.round(searchSorted(table, c) * STEP)
      if (bin > SIZE / 2) continue
      sum[bin] += psd[j * hw + i]
      count[bin]++
    }
  }
  const profile = sum.map((s, r) => (count[r] > 0 ? s / count[r] : 0))
  // A [1/4, 1/2, 1/4] smoothing tames the periodogram's noise and moves no symmetric minimum.
  return profile.map((v, r) => (r === 0 || r === profile.length - 1 ? v : 0.25 * profile[r - 1] + 0.5 * v + 0.25 * profile[r + 1]))
}

/** First index whose (increasing) table value reaches `v`. */
function searchSorted(table: Float64Array, v: number): number {
  let lo = 0
  let hi = table.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (table[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Radii (PSD pixels) of the CTF zeros along an azimuth up to maxRadius. */
function predictedZeros(p: CtfParameters, pixelSize: number, azimuthDeg: number, maxRadius: number): number[] {
  const table = chiTable(p, pixelSize, (azimuthDeg * Math.PI) / 180)
  const zeros: number[] = []
  // CTF = -sin(chi) is zero where chi crosses a multiple of pi.
  for (let n = 1; n * STEP < maxRadius; n++) if (Math.floor(table[n - 1] / Math.PI) !== Math.floor(table[n] / Math.PI)) zeros.push((n - 0.5) * STEP)
  return zeros
}

/**
 * Minimum of a least-squares parabola through the profile within +-halfWidth px of `r`
 * (more robust to periodogram noise than the lowest sample); undefined unless it is a
 * minimum inside the window.
 */
function localMinimum(profile: Float64Array, r: number, halfWidth: number): number | undefined {
  const lo = Math.ceil(r - halfWidth)
  const hi = Math.floor(r + halfWidth)
  // Normal equations for y = c0 + c1 u + c2 u^2 with u = i - r.
  const m = [0, 0, 0, 0, 0]
  const v = [0, 0, 0]
  for (let i = lo; i <= hi; i++) {
    const u = i - r
    for (let p = 0; p < 5; p++) m[p] += u ** p
    for (let p = 0; p < 3; p++) v[p] += profile[i] * u ** p
  }
  const det3 = (a: number[][]) => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
  const a = [[m[0], m[1], m[2]], [m[1], m[2], m[3]], [m[2], m[3], m[4]]]
  const d = det3(a)
  const solve = (k: number) => det3(a.map((row, i) => row.map((x, j) => (j === k ? v[i] : x)))) / d
  const c1 = solve(1)
  const c2 = solve(2)
  if (!(c2 > 0)) return undefined
  const vertex = r - c1 / (2 * c2)
  return Math.abs(vertex - r) < halfWidth ? vertex : undefined
}

/** Largest distance (px) between a CTF zero and the PSD minimum next to it. */
function worstZeroError(profile: Float64Array, zeros: number[]): number {
  expect(zeros.length).toBeGreaterThanOrEqual(8)
  const errors = zeros.map((z, n) => {
    const spacing = Math.min(z - (zeros[n - 1] ?? 0), (zeros[n + 1] ?? Infinity) - z)
    const minimum = localMinimum(profile, z, Math.max(2, 0.3 * spacing))
    expect(minimum, `no PSD minimum near the CTF zero at ${z.toFixed(2)} px`).toBeDefined()
    return minimum! - z
  })
  return Math.max(...errors.map(Math.abs))
}

describe('simulated micrograph power spectrum', () => {
  it('has Thon-ring minima at the CTF zeros (no astigmatism)', () => {
    const o = fixedMovieOptions({width: SIZE, height: SIZE, frames: 60, defocusU: 15000, defocusV: 15000, seed: 11})
    const {image} = simulateMicrograph(o)
    expect(worstZeroError(equivalentRadiusProfile(image.data, o, o.pixelSize, 0), predictedZeros(o, o.pixelSize, 0, 205))).toBeLessThanOrEqual(1)
  })

  it('moves the rings by the phase-plate phase shift', () => {
    const o = fixedMovieOptions({width: SIZE, height: SIZE, frames: 60, defocusU: 12000, defocusV: 12000, phaseShift: 70, seed: 13})
    const {image} = simulateMicrograph(o)
    const zeros = predictedZeros(o, o.pixelSize, 0, 205)
    // Without the shift the zeros would sit elsewhere: the test can tell them apart.
    const unshifted = predictedZeros({...o, phaseShift: 0}, o.pixelSize, 0, 205)
    expect(Math.abs(zeros[2] - unshifted[2])).toBeGreaterThan(3)
    expect(worstZeroError(equivalentRadiusProfile(image.data, o, o.pixelSize, 0), zeros)).toBeLessThanOrEqual(1)
  })

  it('has astigmatic rings with U along defocusAngle (from +x toward +y, rows)', () => {
    const o = fixedMovieOptions({width: SIZE, height: SIZE, frames: 60, defocusU: 18000, defocusV: 14000, defocusAngle: 30, seed: 12})
    const {image} = simulateMicrograph(o)
    const zeros = predictedZeros(o, o.pixelSize, 30, 200)
    expect(worstZeroError(equivalentRadiusProfile(image.data, o, o.pixelSize, 30), zeros)).toBeLessThanOrEqual(1)
    // The same image read with the angle mirrored (-30 deg: y flipped) does not line up.
    const mirrored = {...o, defocusAngle: -30}
    const profile = equivalentRadiusProfile(image.data, mirrored, o.pixelSize, -30)
    const misses = zeros.filter((z, n) => {
      const spacing = Math.min(z - (zeros[n - 1] ?? 0), (zeros[n + 1] ?? Infinity) - z)
      const m = localMinimum(profile, z, Math.max(2, 0.3 * spacing))
      return m === undefined || Math.abs(m - z) > 1
    })
    expect(misses.length).toBeGreaterThan(zeros.length / 3)
  })
})
