// Options of the built-in CTF estimator: plain JSON fields, CTFFIND's names and defaults where
// CTFFIND has the same knob, so a workflow can switch between the two without surprises.
import {CtfOptionsError} from './errors.js'

export interface CtfOptions {
  /** Pixel size of the micrograph (A); 0 = take it from the MRC header. */
  pixelSize: number
  /** Acceleration voltage (kV). */
  voltage: number
  /** Spherical aberration (mm). */
  sphericalAberration: number
  /** Amplitude contrast fraction (0..0.5). */
  amplitudeContrast: number
  /** Side of the averaged power spectrum (pixels, even), CTFFIND's "box size". */
  boxSize: number
  /**
   * Micrographs with a smaller pixel size are Fourier-cropped to this one (A) before fitting, as
   * CTFFIND resamples: finer frequency sampling of dense Thon rings, no noise beyond ~2.8 A.
   */
  resampledPixelSize: number
  /** Fit band: lowest and highest resolution (A). */
  minResolution: number
  maxResolution: number
  /** Defocus search range and coarse step (A, positive = underfocus). */
  minDefocus: number
  maxDefocus: number
  defocusStep: number
  /** Largest astigmatism |U - V| searched (A). */
  maxAstigmatism: number
  /** Search an additional phase shift (phase plate) over [min, max] with this step (deg). */
  findPhaseShift: boolean
  minPhaseShift: number
  maxPhaseShift: number
  phaseShiftStep: number
  /** Fit resolution: first frequency where the windowed spectrum/fit correlation drops below this. */
  resolutionThreshold: number
  /** Write the diagnostic PSD (MRC) with the fit overlaid into the output folder. */
  writeDiagnostic: boolean
}

export const defaultCtfOptions: CtfOptions = {
  pixelSize: 0,
  voltage: 300,
  sphericalAberration: 2.7,
  amplitudeContrast: 0.07,
  boxSize: 512,
  resampledPixelSize: 1.4,
  minResolution: 30,
  maxResolution: 5,
  minDefocus: 5000,
  maxDefocus: 50000,
  defocusStep: 100,
  maxAstigmatism: 5000,
  findPhaseShift: false,
  minPhaseShift: 0,
  maxPhaseShift: 180,
  phaseShiftStep: 10,
  resolutionThreshold: 0.5,
  writeDiagnostic: true,
}

/** Fills defaults and checks every field, naming the first one that is out of range. */
export function resolveCtfOptions(partial: Partial<CtfOptions>): CtfOptions {
  const o = {...defaultCtfOptions, ...partial}
  const positive = ['voltage', 'resampledPixelSize', 'minResolution', 'maxResolution', 'defocusStep', 'phaseShiftStep'] as const
  for (const f of positive) if (!(Number.isFinite(o[f]) && o[f] > 0)) throw new CtfOptionsError(f, `must be a positive number, got ${o[f]}`)
  const nonNegative = ['pixelSize', 'sphericalAberration', 'maxAstigmatism', 'minDefocus'] as const
  for (const f of nonNegative) if (!(Number.isFinite(o[f]) && o[f] >= 0)) throw new CtfOptionsError(f, `must be a number >= 0, got ${o[f]}`)
  if (!(o.amplitudeContrast >= 0 && o.amplitudeContrast < 0.5)) throw new CtfOptionsError('amplitudeContrast', `must be in [0, 0.5), got ${o.amplitudeContrast}`)
  if (!(Number.isInteger(o.boxSize) && o.boxSize >= 64 && o.boxSize % 2 === 0)) throw new CtfOptionsError('boxSize', `must be an even integer >= 64, got ${o.boxSize}`)
  if (!(o.maxResolution < o.minResolution)) throw new CtfOptionsError('maxResolution', `must be finer (smaller) than minResolution ${o.minResolution} A, got ${o.maxResolution}`)
  if (!(o.maxDefocus > o.minDefocus)) throw new CtfOptionsError('maxDefocus', `must be larger than minDefocus ${o.minDefocus} A, got ${o.maxDefocus}`)
  if (!(o.maxPhaseShift >= o.minPhaseShift)) throw new CtfOptionsError('maxPhaseShift', `must be >= minPhaseShift ${o.minPhaseShift}, got ${o.maxPhaseShift}`)
  if (!(o.resolutionThreshold > 0 && o.resolutionThreshold < 1)) throw new CtfOptionsError('resolutionThreshold', `must be in (0, 1), got ${o.resolutionThreshold}`)
  return o
}
