// The preview step's edge: micrograph preview PNG, PSD-with-fit PNG, drift trajectory.
import {mkdir} from 'node:fs/promises'
import {basename, extname, join} from 'node:path'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import type {Image2D} from '../../../core/numeric/image.js'
import type {CtfResult, MotionResult, PickResult, PreviewResult} from '../../../core/results/index.js'
import {averagePowerSpectrum} from '../ctf/power-spectrum.js'
import {percentileWindow, toGray8} from './contrast.js'
import {renderMicrographPreview} from './micrograph-preview.js'
import {defaultPreviewOptions, type PreviewOptions} from './options.js'
import {renderPsdWithFit} from './psd-preview.js'
import {grayRaster, writePng} from './raster.js'
import {driftTrajectory} from './trajectory.js'

export {defaultPreviewOptions, type PreviewOptions} from './options.js'

export interface PreviewInput {
  micrograph: string
  ctf?: CtfResult
  motion?: MotionResult
  picks?: PickResult
}

export async function makePreviews(input: PreviewInput, outDir: string, options: Partial<PreviewOptions> = {}): Promise<PreviewResult> {
  const opts = {...defaultPreviewOptions, ...options}
  const {image, pixelSize: recorded} = await readMrcImage(input.micrograph)
  const pixelSize = opts.pixelSize ?? recorded
  const diagnostic = input.ctf?.psdImage && extname(input.ctf.psdImage).toLowerCase() === '.mrc' ? input.ctf.psdImage : undefined
  if (!diagnostic && !(pixelSize > 0)) {
    throw new PreviewOptionsError('pixelSize', `${input.micrograph} records no pixel size; set pixelSize (A/px) to draw the PSD`)
  }
  await mkdir(outDir, {recursive: true})
  const name = basename(input.micrograph, extname(input.micrograph))

  const micrographPreview = join(outDir, `${name}_preview.png`)
  await writePng(micrographPreview, renderMicrographPreview(image, opts, opts.overlayPicks ? pickOverlay(input.picks, pixelSize) : undefined))

  const psdPreview = join(outDir, `${name}_psd.png`)
  await writePsdPreview(psdPreview, image, pixelSize, input.ctf, diagnostic, opts)

  const result: PreviewResult = {micrographPreview, psdPreview}
  if (input.motion) result.trajectory = driftTrajectory(input.motion.shifts)
  return result
}

/** From the CTF step's diagnostic MRC when there is one (it already holds the fit), else computed here. */
async function writePsdPreview(path: string, image: Image2D, pixelSize: number, ctf: CtfResult | undefined, diagnostic: string | undefined, opts: PreviewOptions): Promise<void> {
  if (diagnostic) {
    const diag = (await readMrcImage(diagnostic)).image
    const {low, high} = percentileWindow(diag.data, opts.lowPercentile, opts.highPercentile)
    await writePng(path, grayRaster(diag.width, diag.height, toGray8(diag.data, low, high)))
    return
  }
  const spectrum = averagePowerSpectrum(image, pixelSize, {box: opts.psdBox, resampledPixelSize: opts.psdPixelSize})
  await writePng(path, renderPsdWithFit(spectrum, ctf, opts, opts.psdMinResolution))
}

function pickOverlay(picks: PickResult | undefined, pixelSize: number) {
  if (!picks || !(pixelSize > 0)) return undefined
  // Without per-pick diameters, rings of a nominal 100 px mark the positions.
  const diameters = picks.coordinates.map((_, i) => (picks.diameters?.[i] ?? 100 * pixelSize) / pixelSize)
  return {coordinates: picks.coordinates, diameters}
}

export class PreviewOptionsError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`preview option ${field}: ${problem}`)
    this.name = 'PreviewOptionsError'
  }
}
