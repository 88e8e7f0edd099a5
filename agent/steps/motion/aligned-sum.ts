// The aligned sum, built in Fourier space from the full frame spectra: each frame's shift is a
// phase ramp, its dose weight a per-frequency factor, and binning a crop of the frequency
// range summed. One inverse FFT of the result then gives the micrograph.
import {halfWidth, rowFrequency, spectrumLength} from '../../../core/numeric/half-complex.js'
import {realFft2D} from '../../../core/numeric/fft.js'
import type {DoseWeightTable} from './dose-weight.js'
import {LOCAL_MODEL_TERMS} from './local-model.js'

export interface AlignedSumInput {
  /** Full half-complex spectra of the frames (width x height). */
  spectra: Float32Array[]
  width: number
  height: number
  /** Shift applied to each frame (px): content moves by +shift. */
  shifts: [number, number][]
  /** Output size (<= width x height; smaller = binning by Fourier cropping). */
  outWidth: number
  outHeight: number
  /** Dose weights (frame order as spectra); without, only the plain sum is made. */
  doseWeights?: DoseWeightTable
  /** Also make the plain (not dose-weighted) sum when dose weights are given. */
  plain: boolean
}

export interface AlignedSumSpectra {
  doseWeighted?: Float32Array
  plain?: Float32Array
}

/**
 * Sums the shifted (and weighted) spectra over the output frequency range, rows in the outer
 * loop so each output row stays in cache while every frame adds to it. Values are scaled by
 * the crop ratio so that an inverse FFT at the output size keeps pixel values' scale.
 * `frames` limits the sum to some frames, `rows` to some output rows (written into `out`).
 */
export function alignedSumSpectra(input: AlignedSumInput, frames?: number[], rows?: {from: number; to: number}, out?: AlignedSumSpectra): AlignedSumSpectra {
  const {spectra, width, height, shifts, outWidth, outHeight, doseWeights} = input
  const hw = halfWidth(width)
  const ohw = halfWidth(outWidth)
  const scale = (outWidth * outHeight) / (width * height)
  const dw = doseWeights ? (out?.doseWeighted ?? new Float32Array(spectrumLength(outWidth, outHeight))) : undefined
  const plain = !doseWeights || input.plain ? (out?.plain ?? new Float32Array(spectrumLength(outWidth, outHeight))) : undefined
  const colCos: Float64Array[] = []
  const colSin: Float64Array[] = []
  for (const f of frames ?? spectra.map((_, i) => i)) {
    colCos[f] = Float64Array.from({length: ohw}, (_, i) => Math.cos((-2 * Math.PI * i * shifts[f][0]) / width))
    colSin[f] = Float64Array.from({length: ohw}, (_, i) => Math.sin((-2 * Math.PI * i * shifts[f][0]) / width))
  }
  const weightAt = new Int32Array(ohw)
  const used = frames ?? spectra.map((_, f) => f)
  for (let j = rows?.from ?? 0; j < (rows?.to ?? outHeight); j++) {
    const ky = rowFrequency(j, outHeight)
    const src = 2 * (ky >= 0 ? ky : ky + height) * hw
    const dst = 2 * j * ohw
    if (doseWeights) {
      for (let i = 0; i < ohw; i++) weightAt[i] = Math.round(Math.sqrt((i / width) ** 2 + (ky / height) ** 2) / doseWeights.step)
    }
    for (const f of used) {
      const phase = (-2 * Math.PI * ky * shifts[f][1]) / height
      const row: RowTerms = {spectrum: spectra[f], src, dst, rc: Math.cos(phase) * scale, rs: Math.sin(phase) * scale, cc: colCos[f], cs: colSin[f], count: ohw}
      if (dw) addWeightedRow(row, dw, doseWeights!.weights, weightAt, f * doseWeights!.bins)
      if (plain) addRow(row, plain)
    }
  }
  return {doseWeighted: dw, plain}
}

export interface AlignedSumImages {
  doseWeighted?: Float32Array
  plain?: Float32Array
}

/** The sums as images at the output size (global shifts only). */
export function alignedSum(input: AlignedSumInput): AlignedSumImages {
  const fft = realFft2D(input.outWidth, input.outHeight)
  const s = alignedSumSpectra(input)
  return {doseWeighted: s.doseWeighted && fft.inverse(s.doseWeighted), plain: s.plain && fft.inverse(s.plain)}
}

export interface LocalWarp {
  /** RELION polynomial coefficients (input px), see local-model.ts. */
  coeffX: number[]
  coeffY: number[]
  /** Model time z of each frame (frame index from the first used frame). */
  frameZ: number[]
}

/**
 * The sums with a local model, as RELION does it: each frame globally shifted and weighted in
 * Fourier space, back to real space, then resampled (bilinear) by the model's residual shift.
 */
export function locallyWarpedSum(input: AlignedSumInput, warp: LocalWarp): AlignedSumImages {
  const {outWidth: w, outHeight: h} = input
  const fft = realFft2D(w, h)
  const out: AlignedSumImages = {}
  const scale = w / input.width
  for (let f = 0; f < input.spectra.length; f++) {
    const s = alignedSumSpectra(input, [f])
    const z = warp.frameZ[f]
    for (const key of ['doseWeighted', 'plain'] as const) {
      const spectrum = s[key]
      if (!spectrum) continue
      const acc = (out[key] ??= new Float32Array(w * h))
      addWarped(acc, fft.inverse(spectrum), w, h, spatialCoefficients(warp.coeffX, z, scale), spatialCoefficients(warp.coeffY, z, scale))
    }
  }
  return out
}

/** The six spatial coefficients of one axis at time z (output px): c . {1, x, x^2, y, y^2, xy}. */
function spatialCoefficients(coeff: number[], z: number, scale: number): Float64Array {
  const out = new Float64Array(LOCAL_MODEL_TERMS / 3)
  for (let s = 0; s < out.length; s++) out[s] = scale * (coeff[3 * s] * z + coeff[3 * s + 1] * z * z + coeff[3 * s + 2] * z * z * z)
  return out
}

/** acc(x, y) += frame(x - sx, y - sy), bilinear, edges clamped. */
function addWarped(acc: Float32Array, frame: Float32Array, w: number, h: number, cx: Float64Array, cy: Float64Array): void {
  for (let iy = 0; iy < h; iy++) {
    const y = iy / h - 0.5
    for (let ix = 0; ix < w; ix++) {
      const x = ix / w - 0.5
      const sx = cx[0] + (cx[1] + cx[2] * x) * x + (cx[3] + cx[4] * y + cx[5] * x) * y
      const sy = cy[0] + (cy[1] + cy[2] * x) * x + (cy[3] + cy[4] * y + cy[5] * x) * y
      const fx = Math.min(w - 1.000001, Math.max(0, ix - sx))
      const fy = Math.min(h - 1.000001, Math.max(0, iy - sy))
      const x0 = Math.floor(fx)
      const y0 = Math.floor(fy)
      const tx = fx - x0
      const ty = fy - y0
      const a = y0 * w + x0
      const top = frame[a] + tx * (frame[a + 1] - frame[a])
      const bottom = frame[a + w] + tx * (frame[a + w + 1] - frame[a + w])
      acc[iy * w + ix] += top + ty * (bottom - top)
    }
  }
}

interface RowTerms {
  spectrum: Float32Array
  src: number
  dst: number
  /** Row phase factor (times the crop scale) and the frame's column phase table. */
  rc: number
  rs: number
  cc: Float64Array
  cs: Float64Array
  count: number
}

/** out[row] += shifted spectrum row. */
function addRow(t: RowTerms, out: Float32Array): void {
  const {spectrum, src, dst, rc, rs, cc, cs, count} = t
  for (let i = 0; i < count; i++) {
    const c = cc[i] * rc - cs[i] * rs
    const s = cs[i] * rc + cc[i] * rs
    const re = spectrum[src + 2 * i]
    const im = spectrum[src + 2 * i + 1]
    out[dst + 2 * i] += re * c - im * s
    out[dst + 2 * i + 1] += re * s + im * c
  }
}

/** out[row] += dose weight * shifted spectrum row; the weight is weights[offset + weightAt[i]]. */
function addWeightedRow(t: RowTerms, out: Float32Array, weights: Float32Array, weightAt: Int32Array, offset: number): void {
  const {spectrum, src, dst, rc, rs, cc, cs, count} = t
  for (let i = 0; i < count; i++) {
    const w = weights[offset + weightAt[i]]
    const c = w * (cc[i] * rc - cs[i] * rs)
    const s = w * (cs[i] * rc + cc[i] * rs)
    const re = spectrum[src + 2 * i]
    const im = spectrum[src + 2 * i + 1]
    out[dst + 2 * i] += re * c - im * s
    out[dst + 2 * i + 1] += re * s + im * c
  }
}
