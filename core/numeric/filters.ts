/**
 * Radial filters on half-complex spectra. Frequencies k are in cycles per pixel (0.5 = Nyquist),
 * k^2 = (kx / width)^2 + (ky / height)^2 (see spatial-frequency.ts).
 *
 * B-factor: weight exp(-B k^2) with B in pixel^2 — the convention of RELION's own motion
 * correction (--bfactor, default 150) and MotionCor2 (-Bft). RELION multiplies by
 * exp(-2 B k^2) on the product Fref * conj(Fframe), i.e. exp(-B k^2) on each image. (RELION
 * divides kx by the half-complex width nx/2+1 instead of nx; we use the isotropic k above.)
 * The crystallographic amplitude B-factor exp(-B_A s^2 / 4), s in 1/A and B_A in A^2, equals
 * B = B_A / (4 pixelSize^2) here: see pixelBFactor.
 */
import {checkSpectrum} from './half-complex.js'
import {frequencySquared} from './spatial-frequency.js'

/** Per-bin real weights (hw x height) from a function of k^2 (cycles^2 / pixel^2). */
export function radialWeights(width: number, height: number, weight: (k2: number) => number): Float32Array {
  const k2 = frequencySquared(width, height)
  const out = new Float32Array(k2.length)
  for (let i = 0; i < k2.length; i++) out[i] = weight(k2[i])
  return out
}

/** spectrum *= weights, bin by bin (weights as from radialWeights), in place. */
export function multiplySpectrum(spectrum: Float32Array, weights: Float32Array): void {
  if (spectrum.length !== 2 * weights.length) {
    throw new RangeError(`spectrum has ${spectrum.length} floats but the weights cover ${weights.length} bins (need 2 floats per bin)`)
  }
  for (let b = 0; b < weights.length; b++) {
    spectrum[2 * b] *= weights[b]
    spectrum[2 * b + 1] *= weights[b]
  }
}

/** exp(-B k^2) per bin, B in pixel^2 (B >= 0 smooths; B < 0 sharpens). */
export function bFactorWeights(width: number, height: number, bfactor: number): Float32Array {
  if (!Number.isFinite(bfactor)) throw new RangeError(`B-factor must be finite, got ${bfactor}`)
  return radialWeights(width, height, (k2) => Math.exp(-bfactor * k2))
}

export function applyBFactor(spectrum: Float32Array, width: number, height: number, bfactor: number): void {
  checkSpectrum('applyBFactor spectrum', spectrum, width, height)
  multiplySpectrum(spectrum, bFactorWeights(width, height, bfactor))
}

/** Converts a crystallographic amplitude B-factor (A^2, exp(-B s^2 / 4)) to this module's pixel^2. */
export function pixelBFactor(bfactorA2: number, pixelSize: number): number {
  if (!(pixelSize > 0)) throw new RangeError(`pixel size must be positive (A), got ${pixelSize}`)
  return bfactorA2 / (4 * pixelSize * pixelSize)
}

export interface EdgeOptions {
  /** Width of the raised-cosine edge (cycles/pixel), centred on the cutoff; 0 = hard edge. */
  edgeWidth?: number
}

/** 1 below the cutoff, 0 above, raised-cosine in between. */
export function lowPassWeights(width: number, height: number, cutoff: number, {edgeWidth = 0}: EdgeOptions = {}): Float32Array {
  checkCutoff(cutoff, edgeWidth)
  return radialWeights(width, height, (k2) => lowPassProfile(Math.sqrt(k2), cutoff, edgeWidth))
}

/** 0 below the cutoff, 1 above, raised-cosine in between (removes ice gradients, carbon edges). */
export function highPassWeights(width: number, height: number, cutoff: number, {edgeWidth = 0}: EdgeOptions = {}): Float32Array {
  checkCutoff(cutoff, edgeWidth)
  return radialWeights(width, height, (k2) => 1 - lowPassProfile(Math.sqrt(k2), cutoff, edgeWidth))
}

/** Low-pass at cutoff cycles/pixel (resolution d A at pixel size p: cutoff = p / d). */
export function lowPassFilter(spectrum: Float32Array, width: number, height: number, cutoff: number, options?: EdgeOptions): void {
  checkSpectrum('lowPassFilter spectrum', spectrum, width, height)
  multiplySpectrum(spectrum, lowPassWeights(width, height, cutoff, options))
}

export function highPassFilter(spectrum: Float32Array, width: number, height: number, cutoff: number, options?: EdgeOptions): void {
  checkSpectrum('highPassFilter spectrum', spectrum, width, height)
  multiplySpectrum(spectrum, highPassWeights(width, height, cutoff, options))
}

function lowPassProfile(k: number, cutoff: number, edgeWidth: number): number {
  const start = cutoff - edgeWidth / 2
  if (k <= start) return 1
  if (k >= cutoff + edgeWidth / 2) return 0
  return 0.5 + 0.5 * Math.cos((Math.PI * (k - start)) / edgeWidth)
}

function checkCutoff(cutoff: number, edgeWidth: number): void {
  if (!(cutoff >= 0) || !Number.isFinite(cutoff)) throw new RangeError(`filter cutoff must be >= 0 cycles/pixel, got ${cutoff}`)
  if (!(edgeWidth >= 0) || !Number.isFinite(edgeWidth)) throw new RangeError(`filter edge width must be >= 0 cycles/pixel, got ${edgeWidth}`)
}
