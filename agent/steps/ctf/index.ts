// The CTF step's edge: read the micrograph, estimate (pure kernels), write the diagnostic PSD,
// return the shared CtfResult in CTFFIND / RELION conventions.
import {mkdir} from 'node:fs/promises'
import {basename, extname, join} from 'node:path'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import type {CtfResult} from '../../../core/results/index.js'
import {opticsCoefficients} from './defocus.js'
import {diagnosticImage} from './diagnostic.js'
import {CtfEstimationError} from './errors.js'
import {estimateCtfOfImage} from './estimate.js'
import {resolveCtfOptions, type CtfOptions} from './options.js'

export {defaultCtfOptions, resolveCtfOptions, type CtfOptions} from './options.js'
export {CtfEstimationError, CtfOptionsError} from './errors.js'
export {estimateCtfOfImage, estimateCtfOfSpectrum, type CtfEstimate} from './estimate.js'

/** `<outDir>/<micrograph name without extension>_PS.mrc`, the diagnostic spectrum. */
export function diagnosticFileName(micrographPath: string, outDir: string): string {
  return join(outDir, `${basename(micrographPath, extname(micrographPath))}_PS.mrc`)
}

export async function estimateCtf(micrographPath: string, outDir: string, options: Partial<CtfOptions>): Promise<CtfResult> {
  const o = resolveCtfOptions(options)
  const {image, pixelSize: recorded} = await readMrcImage(micrographPath)
  const pixelSize = o.pixelSize > 0 ? o.pixelSize : recorded
  if (!(pixelSize > 0)) throw new CtfEstimationError(micrographPath, 'records no pixel size; set pixelSize (A/px) in the CTF options')
  if (Math.min(image.width, image.height) < 128) throw new CtfEstimationError(micrographPath, `is ${image.width}x${image.height}; CTF estimation needs at least 128x128 pixels`)
  const e = estimateCtfOfImage(image, pixelSize, o)
  requireFinite(micrographPath, e)
  let psdImage: string | undefined
  if (o.writeDiagnostic) {
    psdImage = diagnosticFileName(micrographPath, outDir)
    await mkdir(outDir, {recursive: true})
    const box = e.spectrum.box
    const psd = diagnosticImage(e.spectrum, e.fullModel, opticsCoefficients(o), e.state, 1 / o.minResolution)
    await writeMrc(psdImage, [psd], {width: box, height: box, pixelSize: e.spectrum.pixelSize, labels: ['emstream ctf: left spectrum, right fit']})
  }
  return {
    defocusU: e.defocusU,
    defocusV: e.defocusV,
    defocusAngle: e.defocusAngle,
    phaseShift: e.phaseShift,
    resolution: e.resolution,
    figureOfMerit: e.figureOfMerit,
    psdImage,
    profile: e.profile,
    ...(e.warnings.length ? {warnings: e.warnings} : {}),
  }
}

/**
 * A fit that came out NaN or infinite (a micrograph with no usable signal) fails the step with
 * the reason: JSON would turn it into null, a result no reader can use.
 */
export function requireFinite(micrographPath: string, e: {profile?: object} & Record<(typeof FITTED)[number], number>): void {
  const bad: string[] = FITTED.filter((k) => !Number.isFinite(e[k]))
  for (const [k, values] of Object.entries(e.profile ?? {})) if ((values as number[]).some((v) => !Number.isFinite(v))) bad.push(`profile.${k}`)
  if (bad.length) throw new CtfEstimationError(micrographPath, `gave no finite ${bad.join(', ')}: the spectrum has no usable Thon rings`)
}

const FITTED = ['defocusU', 'defocusV', 'defocusAngle', 'phaseShift', 'resolution', 'figureOfMerit'] as const
