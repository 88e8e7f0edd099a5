// The picker as one pure kernel: micrograph in, picks in micrograph pixels out.
// outlier window -> bin + Fourier crop to the working size -> standardise (particles positive)
// -> one forward FFT -> carbon/contamination mask + multi-scale LoG -> threshold + greedy NMS.
import {realFft2D} from '../../../core/numeric/fft.js'
import type {Image2D} from '../../../core/numeric/image.js'
import {binClamped, fourierResample, planWorkingGeometry, type WorkingGeometry} from './downsample.js'
import {multiScaleLog, searchDiameters} from './log-filter.js'
import {pickMask} from './mask.js'
import {intensityStats, outlierWindow, standardise} from './normalise.js'
import type {PickOptions} from './options.js'
import {findPeaks, inRangeStats, type Peak} from './peaks.js'
import {chooseThreshold} from './threshold.js'

export interface Picks {
  /** [x = column, y = row] in micrograph pixels, best score first. */
  coordinates: [number, number][]
  scores: number[]
  /** Best LoG diameter per pick (A). */
  diameters: number[]
  /** Figure-of-merit threshold used (the lower one when hole and carbon get their own), and its base (mean, sigma of in-range responses). */
  threshold: number
  /** Estimated fraction of false picks among those kept (decoy peaks / picks above the threshold). */
  estimatedFdr: number
  fomMean: number
  fomSigma: number
  /** Fraction of the micrograph masked as carbon / contamination / empty. */
  maskedFraction: number
  /** 2 when the micrograph was split into two kinds of area (hole and carbon), each with its own threshold. */
  areas: 1 | 2
  geometry: WorkingGeometry
}

export type PickKernelOptions = Omit<PickOptions, 'pixelSize' | 'pickName'>

export function pickMicrograph(image: Image2D, pixelSize: number, opts: PickKernelOptions): Picks {
  validate(pixelSize, opts)
  const {bin, binnedWidth, binnedHeight, geometry} = planWorkingGeometry(image.width, image.height, pixelSize, opts.diameterMin / opts.workingPixelsPerMinDiameter)
  // A 1-in-7 sample sets the outlier window as well as all pixels would, at a seventh of the cost.
  const intensity = intensityStats(image.data, 7)
  // A flat micrograph (a blank frame, a dead camera) holds nothing to pick; its round-off noise would.
  if (!(intensity.sd > 1e-6 * Math.max(1, Math.abs(intensity.mean)))) return noPicks(geometry)
  const {low, high} = outlierWindow(intensity, opts.outlierZ)
  const binned = binClamped(image, bin, low, high, intensity.mean, binnedWidth, binnedHeight)
  const working = fourierResample(binned, geometry.width, geometry.height)
  standardise(working.data, opts.invert)

  const {width, height, pixelSizeX, pixelSizeY} = geometry
  const spectrum = realFft2D(width, height).forward(working.data)
  const meanPixel = Math.sqrt(pixelSizeX * pixelSizeY)
  const edge = opts.edgeMargin ?? opts.diameterMin / 2
  const mask = pickMask(spectrum, width, height, pixelSizeX, pixelSizeY, {
    lowpassSigma: opts.diameterMax,
    darkSigma: opts.maskDarkSigma,
    brightSigma: opts.maskBrightSigma,
    dilateRadius: opts.diameterMax / 2 / meanPixel,
    edgeX: edge / pixelSizeX,
    edgeY: edge / pixelSizeY,
    validWidth: geometry.validWidth,
    validHeight: geometry.validHeight,
  })
  const diameters = searchDiameters(opts.diameterMin, opts.diameterMax, opts.diameterSteps, opts.searchBelow, opts.searchAbove)
  const maps = multiScaleLog(spectrum, width, height, pixelSizeX, pixelSizeY, diameters)
  const peakOpts = {
    diameterMin: opts.diameterMin,
    diameterMax: opts.diameterMax,
    exclusionRadius: (d: number) => (opts.exclusionDistance ?? 0.6 * d) / meanPixel,
  }
  const stats = inRangeStats(maps.target, mask.allowed, peakOpts)
  const targets = findPeaks(maps.target, width, height, mask.allowed, peakOpts)
  const decoys = findPeaks(maps.decoy, width, height, mask.allowed, peakOpts)
  const area = (p: Peak) => (mask.regions ? mask.regions[Math.round(p.y) * width + Math.round(p.x)] : 0)
  const thresholds = [0, 1].map((a) =>
    chooseThreshold(
      targets.filter((p) => area(p) === a).map((p) => p.score),
      decoys.filter((p) => area(p) === a).map((p) => p.score),
      stats,
      opts,
    ),
  )
  const upper = opts.upperThreshold === null ? Infinity : stats.mean + opts.upperThreshold * stats.sigma
  // Peaks above the upper threshold have already claimed their disks; they are just not reported.
  const kept = targets.filter((p) => p.score >= thresholds[area(p)].threshold && p.score <= upper).slice(0, opts.maxPicks ?? undefined)
  const threshold = Math.min(...thresholds.map((t) => t.threshold))
  const estimatedFdr = fdrOf(kept, decoys, (p) => thresholds[area(p)].threshold)
  return {
    coordinates: kept.map((p) => [geometry.offset + p.x * geometry.scaleX, geometry.offset + p.y * geometry.scaleY]),
    scores: kept.map((p) => p.score),
    diameters: kept.map((p) => p.diameter),
    threshold,
    estimatedFdr,
    fomMean: stats.mean,
    fomSigma: stats.sigma,
    maskedFraction: mask.maskedFraction,
    areas: mask.regions ? 2 : 1,
    geometry,
  }
}

/** Decoys above their area's threshold per pick kept. */
function fdrOf(kept: Peak[], decoys: Peak[], thresholdOf: (p: Peak) => number): number {
  if (kept.length === 0) return 0
  return decoys.filter((d) => d.score >= thresholdOf(d)).length / kept.length
}

function noPicks(geometry: WorkingGeometry): Picks {
  return {coordinates: [], scores: [], diameters: [], threshold: Infinity, estimatedFdr: 0, fomMean: 0, fomSigma: 0, maskedFraction: 0, areas: 1, geometry}
}

function validate(pixelSize: number, opts: PickKernelOptions): void {
  const bad = (field: string, problem: string) => {
    throw new PickOptionsError(field, problem)
  }
  if (!(pixelSize > 0)) bad('pixelSize', `must be a positive number of A/px, got ${pixelSize}`)
  if (!(opts.diameterMin > 0)) bad('diameterMin', `must be positive (A), got ${opts.diameterMin}`)
  if (!(opts.diameterMax >= opts.diameterMin)) bad('diameterMax', `must be >= diameterMin (${opts.diameterMin} A), got ${opts.diameterMax}`)
  if (!(opts.workingPixelsPerMinDiameter >= 4)) bad('workingPixelsPerMinDiameter', `must be >= 4, got ${opts.workingPixelsPerMinDiameter}`)
  if (!(opts.diameterSteps >= 1 && Number.isInteger(opts.diameterSteps))) bad('diameterSteps', `must be a positive integer, got ${opts.diameterSteps}`)
  if (opts.exclusionDistance !== null && !(opts.exclusionDistance > 0)) bad('exclusionDistance', `must be positive (A) or null, got ${opts.exclusionDistance}`)
  if (opts.edgeMargin !== null && !(opts.edgeMargin >= 0)) bad('edgeMargin', `must be >= 0 (A) or null, got ${opts.edgeMargin}`)
  if (!(opts.outlierZ > 0)) bad('outlierZ', `must be positive, got ${opts.outlierZ}`)
}

/** An option the picker cannot work with, named by its field. */
export class PickOptionsError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`pick option ${field}: ${problem}`)
    this.name = 'PickOptionsError'
  }
}
