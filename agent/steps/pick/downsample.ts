// Brings a micrograph to the picker's working pixel size (the particle ~16 px across): an
// integer block average first (cheap; it keeps 1.5x the working band, so the box filter's
// roll-off costs little signal, and white noise stays white), padded with the mean to a size
// the FFT runs at full speed (fastFftSize), then an exact Fourier crop.
import {fourierCrop} from '../../../core/numeric/fourier-crop.js'
import {fastFftSize, realFft2D} from '../../../core/numeric/fft.js'
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
  /** Extent of the micrograph in working pixels; beyond it is padding. */
  validWidth: number
  validHeight: number
}

/** Plans the bin factor, the padded binned size and the working size for a target working pixel size (A). */
export function planWorkingGeometry(
  width: number,
  height: number,
  pixelSize: number,
  targetPixelSize: number,
): {bin: number; binnedWidth: number; binnedHeight: number; geometry: WorkingGeometry} {
  const ratio = Math.max(1, targetPixelSize / pixelSize)
  const bin = Math.max(1, Math.floor(ratio / 1.5))
  const binnedWidth = fastFftSize(Math.floor(width / bin))
  const binnedHeight = fastFftSize(Math.floor(height / bin))
  // Never upsample: the working size is at most the binned size.
  const workW = Math.min(binnedWidth, fastFftSize(Math.round((binnedWidth * bin) / ratio)))
  const workH = Math.min(binnedHeight, fastFftSize(Math.round((binnedHeight * bin) / ratio)))
  const scaleX = (bin * binnedWidth) / workW
  const scaleY = (bin * binnedHeight) / workH
  return {
    bin,
    binnedWidth,
    binnedHeight,
    geometry: {
      width: workW,
      height: workH,
      scaleX,
      scaleY,
      offset: (bin - 1) / 2,
      pixelSizeX: pixelSize * scaleX,
      pixelSizeY: pixelSize * scaleY,
      validWidth: (Math.floor(width / bin) * bin) / scaleX,
      validHeight: (Math.floor(height / bin) * bin) / scaleY,
    },
  }
}

/**
 * Block-averages `bin` x `bin` pixels into an outW x outH image, clamping values to
 * [low, high] first (so that one hot pixel cannot stain a whole bin; branch-free min/max runs
 * at twice the speed of RELION's replace-by-mean). Trailing rows/columns that do not fill a
 * bin are dropped; the rest of the output is `fill`.
 */
export function binClamped(image: Image2D, bin: number, low: number, high: number, fill: number, outW: number, outH: number): Image2D {
  const usedW = Math.min(outW, Math.floor(image.width / bin))
  const usedH = Math.min(outH, Math.floor(image.height / bin))
  const out = new Float32Array(outW * outH).fill(fill)
  const src = image.data
  const acc = new Float64Array(usedW)
  const inv = 1 / (bin * bin)
  for (let by = 0; by < usedH; by++) {
    acc.fill(0)
    for (let r = 0; r < bin; r++) {
      let i = (by * bin + r) * image.width
      for (let bx = 0; bx < usedW; bx++) {
        let s = 0
        for (let k = 0; k < bin; k++, i++) s += Math.min(Math.max(src[i], low), high)
        acc[bx] += s
      }
    }
    const row = by * outW
    for (let bx = 0; bx < usedW; bx++) out[row + bx] = acc[bx] * inv
  }
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
