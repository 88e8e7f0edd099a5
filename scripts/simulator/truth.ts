// The ground truth written beside (never inside) the data: one JSON per movie, in the units and
// sign conventions the processing steps report, so accuracy can be measured directly.
import type {SpecimenVariant} from './specimen.js'

export interface MovieTruth {
  /** Movie file name (or path relative to the data folder for duplicates). */
  movie: string
  /** A, kV, mm, fraction, e/A^2 per frame. */
  pixelSize: number
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
  dosePerFrame: number
  /** A (positive = underfocus), U >= V; angle (deg) in (-90, 90] from +x toward +y (rows). */
  defocusU: number
  defocusV: number
  defocusAngle: number
  /** Phase shift (deg). */
  phaseShift: number
  /** Whole-field specimen motion per frame (px), frame 1 = [0, 0]; RELION reports minus this. */
  shifts: [number, number][]
  /** Mean particle diameter (A). */
  particleDiameter: number
  /** Isolated particle centres (px, x = column, y = row) in frame-1 coordinates. */
  particles: [number, number][]
  /** Why a curator should reject this movie, or null. */
  bad: string | null
  // Extras beyond the list:
  width: number
  height: number
  frames: number
  /** Defocus the microscope was asked for (A), as in the sidecar; the real one is defocusU/V. */
  nominalDefocus?: number
  /** Envelope B-factor (A^2). */
  bFactor: number
  /** Mean ice thickness (nm). */
  iceThickness: number
  variant: SpecimenVariant
  /** Aggregates: [x, y, radius] (px). */
  aggregates: [number, number, number][]
  /** RELION's accumulated motion of `shifts` (px). */
  totalMotion: number
  /** RMS of the local (position-dependent) motion at the last frame (px), 0 = none. */
  localMotionRms: number
  /** Movie file format and, for EER, hardware frames per rendered frame. */
  format?: 'mrc' | 'tiff' | 'eer'
  eerGrouping?: number
  /** Path of the gain reference to multiply raw frames by. */
  gainReference?: string
  /** EER sessions: the reciprocal reference, which RELION 3.1 divides EER frames by. */
  eerGainReference?: string
  /** Hot / dead pixel counts of the camera. */
  hotPixels: number
  deadPixels: number
  /** Acquisition time (ISO 8601) in the session. */
  acquired?: string
}

/** Truth file name for a movie: `<movie file name>.json`. */
export function truthFileName(movieFileName: string): string {
  return `${movieFileName}.json`
}

/** JSON with 4-decimal numbers: exact enough for sub-pixel shifts and defocus, readable. */
export function formatTruth(t: MovieTruth): string {
  return JSON.stringify(t, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v), 1) + '\n'
}
