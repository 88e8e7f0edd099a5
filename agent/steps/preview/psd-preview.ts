// PSD preview with the CTF fit, as CTFFIND's diagnostic shows it: the measured power spectrum
// on the left half (log power, normalised per ring so the Thon rings show at every frequency)
// and the fitted CTF^2 on the right half, so a wrong fit is visible at a glance.
import {ctfTerms, ctfValue, defocusAt, type CtfTerms} from '../../../core/ctf/ctf-model.js'
import type {CtfResult} from '../../../core/results/index.js'
import type {PowerSpectrum} from '../ctf/power-spectrum.js'
import {toGray8} from './contrast.js'
import {grayRaster, type Raster} from './raster.js'

export interface Optics {
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
}

/** Display range of the ring-normalised log power, in sigma. */
const Z_RANGE = 2.5

/** `ctf` absent: the measured spectrum fills both halves. */
export function renderPsdWithFit(ps: PowerSpectrum, ctf: CtfResult | undefined, optics: Optics, minResolution: number): Raster {
  const box = ps.box
  const half = box / 2
  const columns = half + 1
  const kMin = 1 / (minResolution > 0 ? minResolution : Infinity)
  const kOf = (kx: number, ky: number) => Math.hypot(kx, ky) / (box * ps.pixelSize)
  const display = new Float32Array(box * box)
  const measured = new Uint8Array(box * box)
  const logPower = new Float32Array(box * box)
  for (let v = 0; v < box; v++) {
    for (let u = 0; u < box; u++) {
      const kx = u - half
      const ky = v - half
      if (ctf && kx >= 0) continue
      // The half-plane spectrum holds kx >= 0; (kx, ky) < 0 is the Hermitian mirror of (-kx, -ky).
      const [c, r] = kx <= 0 ? [-kx, -ky + half] : [kx, ky + half]
      if (r < 0 || r >= box || c >= columns) continue
      const p = ps.power[r * columns + c]
      if (!(p > 0)) continue
      logPower[v * box + u] = Math.log(p)
      measured[v * box + u] = 1
    }
  }
  smooth3x3(logPower, measured, box)
  normaliseRings(logPower, measured, box)
  const terms = ctf ? ctfTerms({...optics, defocusU: ctf.defocusU, defocusV: ctf.defocusV, defocusAngle: ctf.defocusAngle, phaseShift: ctf.phaseShift}) : undefined
  for (let v = 0; v < box; v++) {
    for (let u = 0; u < box; u++) {
      const kx = u - half
      const ky = v - half
      const p = v * box + u
      const k = kOf(kx, ky)
      if (k < kMin) continue
      if (terms && kx >= 0) {
        const azimuth = Math.atan2(ky, kx)
        // Rings closer than MIN_RING_PIXELS would alias into moire: left grey.
        if (ringPeriodPixels(terms, k, azimuth, box * ps.pixelSize) < MIN_RING_PIXELS) continue
        const c = ctfValue(terms, k, azimuth)
        display[p] = (2 * c * c - 1) * Z_RANGE
      } else if (measured[p]) {
        display[p] = logPower[p]
      }
    }
  }
  return grayRaster(box, box, toGray8(display, -Z_RANGE, Z_RANGE))
}

/** Rings of the fit narrower than this (px) are not drawn. */
const MIN_RING_PIXELS = 3

/** Period (px) of CTF^2 along the radius at k (1/A): pi / |d chi / dk|, times pixels per 1/A. */
function ringPeriodPixels(t: CtfTerms, k: number, azimuth: number, pixelsPerInverseA: number): number {
  const slope = Math.abs(2 * Math.PI * t.lambda * defocusAt(t, azimuth) * k - 2 * Math.PI * t.cs * t.lambda ** 3 * k ** 3)
  return slope > 0 ? (Math.PI / slope) * pixelsPerInverseA : Infinity
}

/** In place: 3 x 3 mean over flagged neighbours (periodogram noise is per pixel; rings are wider). */
function smooth3x3(values: Float32Array, flags: Uint8Array, box: number): void {
  const src = values.slice()
  for (let v = 0; v < box; v++) {
    for (let u = 0; u < box; u++) {
      const p = v * box + u
      if (!flags[p]) continue
      let sum = 0
      let n = 0
      for (let dv = -1; dv <= 1; dv++) {
        for (let du = -1; du <= 1; du++) {
          const uu = u + du
          const vv = v + dv
          if (uu < 0 || vv < 0 || uu >= box || vv >= box || !flags[vv * box + uu]) continue
          sum += src[vv * box + uu]
          n++
        }
      }
      values[p] = sum / n
    }
  }
}

/** In place: (value - ring mean) / ring sigma over the flagged pixels of each integer radius. */
function normaliseRings(values: Float32Array, flags: Uint8Array, box: number): void {
  const half = box / 2
  const rings = Math.ceil(Math.SQRT2 * half) + 1
  const sum = new Float64Array(rings)
  const sum2 = new Float64Array(rings)
  const count = new Float64Array(rings)
  const ringOf = (p: number) => Math.round(Math.hypot((p % box) - half, Math.floor(p / box) - half))
  for (let p = 0; p < values.length; p++) {
    if (!flags[p]) continue
    const r = ringOf(p)
    sum[r] += values[p]
    sum2[r] += values[p] * values[p]
    count[r]++
  }
  for (let p = 0; p < values.length; p++) {
    if (!flags[p]) continue
    const r = ringOf(p)
    const mean = sum[r] / count[r]
    const sd = Math.sqrt(Math.max(0, sum2[r] / count[r] - mean * mean))
    values[p] = sd > 0 ? (values[p] - mean) / sd : 0
  }
}
