// The CTF estimator as one pure function of an image (or its power spectrum):
// spectrum -> 1D defocus (and phase) search -> polar-grid astigmatism search -> 2D refinement with
// background refits -> fit resolution and 1D profile over the whole spectrum.
import type {CtfParameters, CtfProfile} from '../../../core/results/index.js'
import type {Image2D} from '../../../core/numeric/image.js'
import {spectrumLevels, type CurveDegrees, type SpectrumModel} from './background.js'
import {everyNth, gather, spectrumBand} from './band.js'
import {opticsCoefficients, toCtffindConvention, type DefocusState} from './defocus.js'
import {estimateAstigmatism, searchDefocus} from './defocus-search.js'
import {profileCtf2} from './profile-fit.js'
import {fitBandModel, normaliseBand, refineDefocus} from './ctf-fit.js'
import {defaultFitResolutionSettings, fitResolution} from './fit-resolution.js'
import {averagePowerSpectrum, type PowerSpectrum} from './power-spectrum.js'
import {equiphaseAverage, rotationalAverage, type RadialProfile} from './radial-profile.js'
import {CtfOptionsError} from './errors.js'
import type {CtfOptions} from './options.js'

export interface CtfEstimate extends CtfParameters {
  profile: CtfProfile
  /** Things a user should check (search range edge, weak rings). */
  warnings: string[]
  /** What the diagnostic image needs. */
  state: DefocusState
  spectrum: PowerSpectrum
  /** Background / envelope over the whole profile range (kMin .. Nyquist). */
  fullModel: SpectrumModel
}

/** Polynomial degrees of background / envelope: over the fit band, and up to Nyquist. */
const bandDegrees: CurveDegrees = {background: 6, envelope: 4}
const fullDegrees: CurveDegrees = {background: 8, envelope: 6}
/** Astigmatism grid step (A), at most: the polar grid then lands within ~0.7 step of the truth, inside the refinement's basin. */
const maxAstigmatismStep = 300

export type EstimateSettings = Omit<CtfOptions, 'pixelSize' | 'writeDiagnostic'>

export function estimateCtfOfImage(image: Image2D, pixelSize: number, o: EstimateSettings): CtfEstimate {
  return estimateCtfOfSpectrum(averagePowerSpectrum(image, pixelSize, {box: o.boxSize, resampledPixelSize: o.resampledPixelSize}), o)
}

export function estimateCtfOfSpectrum(spectrum: PowerSpectrum, o: EstimateSettings): CtfEstimate {
  const c = opticsCoefficients(o)
  const unit = 1 / (spectrum.box * spectrum.pixelSize)
  const nyquist = 1 / (2 * spectrum.pixelSize)
  const kMin = 1 / o.minResolution
  const kMax = Math.min(1 / o.maxResolution, 0.95 * nyquist)
  if (!(kMax > 1.5 * kMin)) {
    throw new CtfOptionsError('minResolution', `${o.minResolution} A leaves no fit band below the spectrum's Nyquist (${(2 * spectrum.pixelSize).toFixed(2)} A); use a coarser minResolution`)
  }
  const band = spectrumBand(spectrum, kMin, kMax)
  const values = gather(band, spectrum.power)

  // A coarser step than a quarter ring (pi / 4 of chi) at kMax could step over the true basin.
  const quarterRing = Math.PI / (4 * c.defocusTerm * kMax * kMax)
  const step = Math.min(o.defocusStep, quarterRing)
  const coarse = searchDefocus(rotationalAverage(band, values), c, {
    minDefocus: o.minDefocus,
    maxDefocus: o.maxDefocus,
    step,
    phaseShifts: phaseGrid(o),
    degrees: bandDegrees,
  })
  const isotropic = {mean: coarse.mean, cos2: 0, sin2: 0, phaseShift: coarse.phaseShift}
  const sparse = everyNth(band, 4)
  const sparseBand = normaliseBand(sparse, gather(sparse, spectrum.power), fitBandModel(band, values, c, isotropic, unit, bandDegrees))
  const start = estimateAstigmatism(sparse, sparseBand, c, coarse, {maxAstigmatism: o.maxAstigmatism, step: Math.min(maxAstigmatismStep, 2 * quarterRing)})
  const refined = refineDefocus(band, values, c, start, {fitPhaseShift: o.findPhaseShift, degrees: bandDegrees, rounds: 3, unit})

  // Profile, fit and fit resolution over everything from minResolution to Nyquist.
  const full = spectrumBand(spectrum, kMin, nyquist)
  const fullValues = gather(full, spectrum.power)
  const fullModel = fitBandModel(full, fullValues, c, refined.state, unit, fullDegrees)
  const equiphase = equiphaseAverage(full, fullValues, c, refined.state, unit)
  const ctf2 = profileCtf2(equiphase, c, refined.state.mean, refined.state.phaseShift)
  const shown = scaleProfile(equiphase, ctf2, fullModel)
  const resolution = fitResolution(equiphase, shown.spectrum, ctf2, c, refined.state.mean, {...defaultFitResolutionSettings, threshold: o.resolutionThreshold})

  const warnings: string[] = []
  if (coarse.mean < o.minDefocus + step || coarse.mean > o.maxDefocus - step) {
    warnings.push(`defocus ${coarse.mean.toFixed(0)} A is at the edge of the search range ${o.minDefocus}-${o.maxDefocus} A; widen minDefocus / maxDefocus`)
  }
  // Rings that stop fitting in the low half of the band mean a wrong range, no rings, or no specimen.
  if (refined.correlation < 0.05 || resolution.resolution > 2 / (kMin + kMax)) {
    warnings.push(`weak Thon rings: they fit only to ${resolution.resolution.toFixed(1)} A (fit correlation ${refined.correlation.toFixed(3)})`)
  }

  return {
    ...toCtffindConvention(refined.state),
    resolution: resolution.resolution,
    figureOfMerit: refined.correlation,
    profile: {
      frequency: Array.from(equiphase.k),
      spectrum: Array.from(shown.spectrum),
      fit: Array.from(shown.fit),
      correlation: Array.from(resolution.correlation),
    },
    warnings,
    state: refined.state,
    spectrum,
    fullModel,
  }
}

/**
 * Profile and fit on one scale for plots: (power - background) / level and
 * envelope / level * CTF^2, level = background + envelope / 2 (bounded where the envelope dies).
 */
function scaleProfile(p: RadialProfile, ctf2: Float64Array, model: SpectrumModel): {spectrum: Float64Array; fit: Float64Array} {
  const spectrum = new Float64Array(ctf2.length)
  const fit = new Float64Array(ctf2.length)
  for (let i = 0; i < ctf2.length; i++) {
    const {background, envelope, level} = spectrumLevels(model, p.k[i])
    spectrum[i] = (p.value[i] - background) / level
    fit[i] = (envelope / level) * ctf2[i]
  }
  return {spectrum, fit}
}

function phaseGrid(o: EstimateSettings): number[] {
  if (!o.findPhaseShift) return [0]
  const out: number[] = []
  for (let p = o.minPhaseShift; p <= o.maxPhaseShift + 1e-9; p += o.phaseShiftStep) out.push((p * Math.PI) / 180)
  return out
}
