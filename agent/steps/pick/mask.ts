// Where picks are allowed: not near the edge, and not on carbon, contamination or empty holes,
// which show as areas whose low-pass mean is far darker or brighter than the ice around the
// particles. The scale is the spread of the low-pass map itself (median absolute deviation),
// so it adapts to particle density and dose, and stays valid while such areas are a minority.
import {realFft2D} from '../../../core/numeric/fft.js'
import {splitTwoClasses} from './regions.js'
import {applyRadialGain, frequencySquared, gaussianGain} from './spectrum-filter.js'

export interface MaskOptions {
  /** Low-pass sigma (A): larger than a particle, so particles average out. */
  lowpassSigma: number
  /** Masked where the low-pass mean is this many robust sigma darker / brighter than the median; null = off. */
  darkSigma: number | null
  brightSigma: number | null
  /** Masked areas grow by this radius (working px), so picks do not sit on their border. */
  dilateRadius: number
  /** Edge margins (working px), from the edges of the micrograph's extent (beyond it is padding). */
  edgeX: number
  edgeY: number
  validWidth?: number
  validHeight?: number
}

export interface PickMask {
  /** 1 = picks allowed. */
  allowed: Uint8Array
  /** Fraction of the micrograph (inside the edge margins) masked as carbon / contamination / empty. */
  maskedFraction: number
  /**
   * When the low-pass map splits cleanly into two kinds of area (hole and carbon): 1 where it is
   * above the split (the darker area: particles are positive), else 0; null for one area.
   */
  regions: Uint8Array | null
}

/** Ashman's D above which the low-pass map is taken to hold two kinds of area. */
const TWO_AREAS_SEPARATION = 5

/** Median and 1.4826 x median absolute deviation of every `stride`-th value. */
export function robustSpread(values: Float32Array, stride = 1): {median: number; sigma: number} {
  const sample = new Float32Array(Math.ceil(values.length / stride))
  for (let i = 0, k = 0; i < values.length; i += stride, k++) sample[k] = values[i]
  sample.sort()
  const median = sample[sample.length >> 1]
  for (let k = 0; k < sample.length; k++) sample[k] = Math.abs(sample[k] - median)
  sample.sort()
  return {median, sigma: 1.4826 * sample[sample.length >> 1]}
}

/**
 * `spectrum`: forward FFT of the standardised working image, in which the particles (and so
 * dark areas of the micrograph) are positive.
 */
export function pickMask(
  spectrum: Float32Array,
  width: number,
  height: number,
  pixelSizeX: number,
  pixelSizeY: number,
  opts: MaskOptions,
): PickMask {
  const allowed = new Uint8Array(width * height)
  const x0 = Math.ceil(opts.edgeX)
  const y0 = Math.ceil(opts.edgeY)
  const x1 = Math.min(width, Math.ceil((opts.validWidth ?? width) - opts.edgeX))
  const y1 = Math.min(height, Math.ceil((opts.validHeight ?? height) - opts.edgeY))
  for (let y = y0; y < y1; y++) if (x1 > x0) allowed.fill(1, y * width + x0, y * width + x1)
  const k2 = frequencySquared(width, height, pixelSizeX, pixelSizeY)
  const lowpass = realFft2D(width, height).inverse(applyRadialGain(spectrum, k2, gaussianGain(opts.lowpassSigma)))
  const regions = twoAreas(lowpass, allowed)
  if (opts.darkSigma === null && opts.brightSigma === null) return {allowed, maskedFraction: 0, regions}
  const {median, sigma} = robustSpread(lowpass, 3)
  const scale = sigma > 0 ? sigma : 1
  const high = opts.darkSigma === null ? Infinity : median + opts.darkSigma * scale
  const low = opts.brightSigma === null ? -Infinity : median - opts.brightSigma * scale
  const bad = new Uint8Array(width * height)
  let badCount = 0
  for (let p = 0; p < bad.length; p++) {
    if (lowpass[p] > high || lowpass[p] < low) {
      bad[p] = 1
      badCount++
    }
  }
  if (badCount === 0) return {allowed, maskedFraction: 0, regions}
  const grown = dilate(bad, width, height, opts.dilateRadius)
  let inside = 0
  let masked = 0
  for (let p = 0; p < allowed.length; p++) {
    if (!allowed[p]) continue
    inside++
    if (grown[p]) {
      allowed[p] = 0
      masked++
    }
  }
  return {allowed, maskedFraction: inside ? masked / inside : 0, regions}
}

/** The two-area labelling of the allowed pixels, or null when the map is one kind of area. */
function twoAreas(lowpass: Float32Array, allowed: Uint8Array): Uint8Array | null {
  const inside = lowpass.filter((_, p) => allowed[p] === 1)
  if (inside.length === 0) return null
  const split = splitTwoClasses(inside, 2)
  if (!(split.separation >= TWO_AREAS_SEPARATION)) return null
  return Uint8Array.from(lowpass, (v) => (v > split.threshold ? 1 : 0))
}

/** Binary dilation by a disk: separable distance test via a per-row run search. */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const r = Math.max(0, Math.floor(radius))
  if (r === 0) return mask.slice()
  // Distance (in columns) from each pixel to the nearest set pixel in its own row, capped at r + 1.
  const rowDist = new Int32Array(width * height).fill(r + 1)
  for (let y = 0; y < height; y++) {
    const row = y * width
    let last = -Infinity
    for (let x = 0; x < width; x++) {
      if (mask[row + x]) last = x
      rowDist[row + x] = Math.min(r + 1, x - last)
    }
    last = Infinity
    for (let x = width - 1; x >= 0; x--) {
      if (mask[row + x]) last = x
      rowDist[row + x] = Math.min(rowDist[row + x], last - x)
    }
  }
  const out = new Uint8Array(width * height)
  const r2 = r * r
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy
        if (yy < 0 || yy >= height) continue
        const dx = rowDist[yy * width + x]
        if (dx <= r && dx * dx + dy * dy <= r2) {
          out[y * width + x] = 1
          break
        }
      }
    }
  }
  return out
}
