// Weak-phase imaging: I(x) = T(x) [1 + 2 F^-1{ CTF(k) E_B(k) MTF(k) Phi(k) }], with the CTF in
// the convention of core/ctf/ctf-model.ts (amplitude contrast folded into chi), one FFT pair.
import {ctfTerms, type CtfParameters} from '../../core/ctf/ctf-model.js'
import {halfWidth, realFft2D} from '../../core/numeric/fft.js'
import type {Rng} from './rng.js'
import type {Specimen} from './specimen.js'

export interface ImagingOptions {
  width: number
  height: number
  /** Pixel size (A). */
  pixelSize: number
  ctf: CtfParameters
  /** Envelope B-factor (A^2): amplitude falls as exp(-B k^2 / 4). */
  bFactor: number
}

/** Detector MTF of a counting camera at (fx, fy) cycles per pixel: pixel aperture times a soft roll-off. */
export function detectorMtf(fx: number, fy: number): number {
  return (sinc(fx) * sinc(fy)) / (1 + (fx * fx + fy * fy) / 0.5)
}

function sinc(f: number): number {
  if (f === 0) return 1
  const a = Math.PI * f
  return Math.sin(a) / a
}

/** Expected intensity per pixel (fraction of the incident beam) for one specimen. */
export function imageSpecimen(specimen: Specimen, o: ImagingOptions, rng: Rng): Float32Array {
  const {width, height, pixelSize} = o
  const fft = realFft2D(width, height)
  const spectrum = fft.forward(specimen.phase)
  if (specimen.iceRings.length > 0) addIceRings(spectrum, width, height, pixelSize, specimen.iceRings, rng)
  applyTransfer(spectrum, o)
  const contrast = fft.inverse(spectrum)
  const t = specimen.transmission
  for (let i = 0; i < contrast.length; i++) contrast[i] = Math.max(0, t[i] * (1 + contrast[i]))
  return contrast
}

/** Multiplies a half-complex phase spectrum by 2 CTF E_B MTF; the mean (DC) is dropped. */
export function applyTransfer(spectrum: Float32Array, o: ImagingOptions): void {
  const {width, height, pixelSize} = o
  const t = ctfTerms(o.ctf)
  const hw = halfWidth(width)
  const cos2a0 = Math.cos(2 * t.angleRad)
  const sin2a0 = Math.sin(2 * t.angleRad)
  const l = t.lambda
  const csTerm = 0.5 * Math.PI * t.cs * l * l * l
  const defocusTerm = Math.PI * l
  // detectorMtf's roll-off 1 / (1 + f^2 / 0.5) with f = k x pixel size.
  const rollOff = 2 * pixelSize * pixelSize
  // The B-factor envelope and the pixel-aperture MTF are separable in kx and ky: tabulate them.
  const columnFactor = Float64Array.from({length: hw}, (_, i) => sinc(i / width) * Math.exp((-o.bFactor * (i / width / pixelSize) ** 2) / 4))
  const kxs = Float64Array.from({length: hw}, (_, i) => i / width / pixelSize)
  for (let j = 0; j < height; j++) {
    const fy = (j <= height / 2 ? j : j - height) / height // cycles per pixel
    const ky = fy / pixelSize
    const ky2 = ky * ky
    const kyTerm = 2 * ky * sin2a0
    const rowFactor = -2 * sinc(fy) * Math.exp((-o.bFactor * ky2) / 4)
    for (let i = 0; i < hw; i++) {
      const kx = kxs[i]
      const kx2 = kx * kx
      const k2 = kx2 + ky2
      const p = 2 * (j * hw + i)
      if (k2 === 0) {
        spectrum[p] = 0
        spectrum[p + 1] = 0
        continue
      }
      // Defocus x k^2 without the angle: k^2 cos 2(a - a0) = (kx^2 - ky^2) cos 2a0 + 2 kx ky sin 2a0.
      const astigmatism = (kx2 - ky2) * cos2a0 + kx * kyTerm
      const chi = defocusTerm * (t.defocusMean * k2 + t.defocusHalfDiff * astigmatism) - csTerm * k2 * k2 + t.constantPhase
      // -2 sin(chi) x envelope x MTF (see detectorMtf).
      const m = (rowFactor * columnFactor[i] * Math.sin(chi)) / (1 + rollOff * k2)
      spectrum[p] *= m
      spectrum[p + 1] *= m
    }
  }
}

/**
 * Crystalline ice: sharp, spotty rings at the hexagonal-ice spacings, added to the phase
 * spectrum. The self-conjugate columns (kx = 0, Nyquist) are left alone to keep it Hermitian.
 */
function addIceRings(spectrum: Float32Array, width: number, height: number, pixelSize: number, spacings: number[], rng: Rng): void {
  const hw = halfWidth(width)
  const lastColumn = width % 2 === 0 ? hw - 1 : hw
  // Ring strength relative to the spectrum's typical amplitude, so it stands out like real ice.
  let sum = 0
  const probe = Math.min(spectrum.length, 20000)
  for (let p = 0; p < probe; p++) sum += Math.abs(spectrum[p])
  const amplitude = (sum / probe) * 8
  const halfWidthK = 0.004 // 1/A
  for (const d of spacings) {
    const k0 = 1 / d
    if (k0 >= 0.5 / pixelSize) continue
    for (let j = 0; j < height; j++) {
      const ky = (j <= height / 2 ? j : j - height) / (height * pixelSize)
      if (Math.abs(ky) > k0 + halfWidthK) continue
      for (let i = 1; i < lastColumn; i++) {
        const k = Math.hypot(i / (width * pixelSize), ky)
        if (Math.abs(k - k0) > halfWidthK || rng.next() > 0.3) continue
        const p = 2 * (j * hw + i)
        const a = amplitude * rng.next()
        const phi = rng.uniform(0, 2 * Math.PI)
        spectrum[p] += a * Math.cos(phi)
        spectrum[p + 1] += a * Math.sin(phi)
      }
    }
  }
}
