// Brings a micrograph to the picker's working pixel size (the particle ~16 px across): an
// integer block average first (cheap, and it keeps at least twice the working band so its
// roll-off and aliasing land outside what is kept), then an exact Fourier crop.
import {fourierCrop} from '../../../core/numeric/fourier-crop.js'
import {realFft2D} from '../../../core/numeric/fft.js'
import type {Image2D} from '../../../core/numeric/image.js'

/** Where working pixel (i, j) lies in the micrograph: x = offset + i * scaleX (same for y). */
export interface WorkingGeometry {
  width: number
  height: number
  /** Micrograph pixels per working pixel, per axis. */
  scaleX: number
  scaleY: number
  /** Micrograph coordinate of working pixel 0 (the centre of the first bin). */
  offset: number
  /** Working pixel size per axis (A). */
  pixelSizeX: number
  pixelSizeY: number
}

/** Smallest n' >= n whose only prime factors are 2, 3 and 5 (fast FFT sizes). */
export function smoothSize(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let r = m
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p
    if (r === 1) return m
  }
}

/** Plans the bin factor and the working size for a target working pixel size (A). */
export function planWorkingGeometry(
  width: number,
  height: number,
  pixelSize: number,
  targetPixelSize: number,
): {bin: number; geometry: WorkingGeometry} {
  const ratio = Math.max(1, targetPixelSize / pixelSize)
  const bin = Math.max(1, Math.floor(ratio / 2))
  const binnedW = Math.floor(width / bin)
  const binnedH = Math.floor(height / bin)
  // Never upsample: the working size is at most the binned size.
  const workW = Math.min(binnedW, smoothSize(Math.round(width / ratio)))
  const workH = Math.min(binnedH, smoothSize(Math.round(height / ratio)))
  const scaleX = (bin * binnedW) / workW
  const scaleY = (bin * binnedH) / workH
  return {
    bin,
    geometry: {
      width: workW,
      height: workH,
      scaleX,
      scaleY,
      offset: (bin - 1) / 2,
      pixelSizeX: pixelSize * scaleX,
      pixelSizeY: pixelSize * scaleY,
    },
  }
}

/**
 * Block-averages `bin` x `bin` pixels, replacing values outside [low, high] by `fill` first
 * (so that one hot pixel cannot stain a whole bin). Trailing rows/columns that do not fill a
 * bin are dropped.
 */
export function binClamped(image: Image2D, bin: number, low: number, high: number, fill: number): Image2D {
  const outW = Math.floor(image.width / bin)
  const outH = Math.floor(image.height / bin)
  const out = new Float32Array(outW * outH)
  const src = image.data
  const inv = 1 / (bin * bin)
  for (let y = 0; y < outH * bin; y++) {
    const row = y * image.width
    const outRow = Math.floor(y / bin) * outW
    for (let bx = 0; bx < outW; bx++) {
      let s = 0
      const start = row + bx * bin
      for (let k = 0; k < bin; k++) {
        const v = src[start + k]
        s += v < low || v > high ? fill : v
      }
      out[outRow + bx] += s
    }
  }
  for (let i = 0; i < out.length; i++) out[i] *= inv
  return {width: outW, height: outH, data: out}
}

/** Fourier-crops an image to width x height (the band limit of the smaller size). */
export function fourierResample(image: Image2D, width: number, height: number): Image2D {
  if (width === image.width && height === image.height) return {width, height, data: image.data.slice()}
  const spectrum = realFft2D(image.width, image.height).forward(image.data)
  const cropped = fourierCrop(spectrum, image.width, image.height, width, height)
  const data = realFft2D(width, height).inverse(cropped)
  return {width, height, data}
}
