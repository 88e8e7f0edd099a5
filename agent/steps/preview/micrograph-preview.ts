// Micrograph preview: block-averaged to the preview width (which also low-passes, so the
// particles show), contrast-stretched by percentiles, optionally with the picks drawn on it.
import type {Image2D} from '../../../core/numeric/image.js'
import {percentileWindow, toGray8} from './contrast.js'
import {drawRing, grayRaster, toRgb, type Raster} from './raster.js'

/** Smallest integer factor that brings the width to at most maxWidth. */
export function previewBin(width: number, maxWidth: number): number {
  return Math.max(1, Math.ceil(width / Math.max(1, maxWidth)))
}

/** Block average by `bin`; trailing pixels that do not fill a block are dropped. */
export function blockAverage(image: Image2D, bin: number): Image2D {
  const w = Math.floor(image.width / bin)
  const h = Math.floor(image.height / bin)
  const out = new Float32Array(w * h)
  const acc = new Float64Array(w)
  for (let by = 0; by < h; by++) {
    acc.fill(0)
    for (let r = 0; r < bin; r++) {
      let i = (by * bin + r) * image.width
      for (let bx = 0; bx < w; bx++) for (let k = 0; k < bin; k++, i++) acc[bx] += image.data[i]
    }
    for (let bx = 0; bx < w; bx++) out[by * w + bx] = acc[bx] / (bin * bin)
  }
  return {width: w, height: h, data: out}
}

export interface MicrographPreviewOptions {
  maxWidth: number
  lowPercentile: number
  highPercentile: number
}

/** Picks to draw: micrograph-pixel centres and diameters (px). */
export interface PickOverlay {
  coordinates: [number, number][]
  diameters: number[]
}

export function renderMicrographPreview(image: Image2D, opts: MicrographPreviewOptions, picks?: PickOverlay): Raster {
  const bin = previewBin(image.width, opts.maxWidth)
  const small = blockAverage(image, bin)
  const {low, high} = percentileWindow(small.data, opts.lowPercentile, opts.highPercentile, Math.max(1, Math.floor(small.data.length / 200_000)))
  const raster = grayRaster(small.width, small.height, toGray8(small.data, low, high))
  if (!picks) return raster
  const rgb = toRgb(raster)
  // Bin b maps micrograph pixel x to preview (x - (b - 1) / 2) / b.
  picks.coordinates.forEach(([x, y], i) => {
    drawRing(rgb, (x - (bin - 1) / 2) / bin, (y - (bin - 1) / 2) / bin, picks.diameters[i] / 2 / bin, [60, 220, 90])
  })
  return rgb
}
