// The camera's pixel response: each pixel counts electrons with sensitivity 1/gain, where the
// gain reference (what a user multiplies raw frames by) has a per-pixel spread, a column
// pattern (readout sectors) and a gentle vignette; hot pixels fire in every frame, dead ones never.
import type {Rng} from './rng.js'

export interface GainOptions {
  /** RMS of the per-pixel gain spread (fraction, e.g. 0.04). */
  pixelSpread: number
  /** RMS of the per-column pattern (fraction, e.g. 0.02). */
  columnSpread: number
  /** Fraction of hot / dead pixels. */
  hotFraction: number
  deadFraction: number
  /** Expected counts of a hot pixel per frame, in multiples of the mean dose per pixel. */
  hotRate: number
}

export const defaultGainOptions: GainOptions = {pixelSpread: 0.04, columnSpread: 0.02, hotFraction: 2e-5, deadFraction: 2e-5, hotRate: 30}

export interface GainReference {
  width: number
  height: number
  /** Multiply raw frames by this to flatten them (mean 1). */
  gain: Float32Array
  /** Pixel indices (y * width + x) that count too much / never count. */
  hotPixels: Uint32Array
  deadPixels: Uint32Array
  hotRate: number
}

export function drawGainReference(rng: Rng, width: number, height: number, o: GainOptions = defaultGainOptions): GainReference {
  const columns = new Float32Array(width)
  // Readout sectors: a block pattern of 8-column groups plus independent column noise.
  const sector = Array.from({length: Math.ceil(width / 8)}, () => rng.normal() * o.columnSpread * 0.7)
  for (let x = 0; x < width; x++) columns[x] = 1 + sector[x >> 3] + rng.normal() * o.columnSpread * 0.7
  const gain = new Float32Array(width * height)
  const cx = (width - 1) / 2
  const cy = (height - 1) / 2
  const r2max = cx * cx + cy * cy
  let sum = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Vignette: the corners see ~3% fewer electrons, so their gain is higher.
      const vignette = 1 + 0.03 * (((x - cx) ** 2 + (y - cy) ** 2) / r2max)
      const g = columns[x] * vignette * Math.exp(rng.normal() * o.pixelSpread)
      gain[y * width + x] = g
      sum += g
    }
  }
  const mean = sum / gain.length
  for (let i = 0; i < gain.length; i++) gain[i] /= mean
  const hotPixels = drawPixelSet(rng, gain.length, o.hotFraction)
  const deadPixels = drawPixelSet(rng, gain.length, o.deadFraction)
  return {width, height, gain, hotPixels, deadPixels, hotRate: o.hotRate}
}

function drawPixelSet(rng: Rng, n: number, fraction: number): Uint32Array {
  const count = Math.round(n * fraction)
  const set = new Set<number>()
  while (set.size < count) set.add(rng.int(n))
  return Uint32Array.from([...set].sort((a, b) => a - b))
}
