/**
 * Spatial frequency of half-complex bins in cycles per pixel, so that filters and radial
 * averages mean the same thing on non-square images: k^2 = (kx / width)^2 + (ky / height)^2.
 */
import {halfWidth, rowFrequency} from './half-complex.js'

/** k^2 (cycles^2 / pixel^2) of every half-complex bin, row-major, (floor(width/2)+1) x height. */
export function frequencySquared(width: number, height: number): Float64Array {
  const hw = halfWidth(width)
  const out = new Float64Array(hw * height)
  for (let j = 0; j < height; j++) {
    const fy = rowFrequency(j, height) / height
    for (let i = 0; i < hw; i++) {
      const fx = i / width
      out[j * hw + i] = fx * fx + fy * fy
    }
  }
  return out
}
