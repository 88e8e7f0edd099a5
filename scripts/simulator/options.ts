// What one simulated movie is made of (MovieSimOptions), and how a session draws each movie's
// values from realistic ranges (SessionParameters -> drawMovieOptions), deterministically per seed.
import {normalizeAstigmatism} from '../../core/ctf/ctf-model.js'
import type {DriftOptions} from './drift.js'
import type {GainReference} from './gain.js'
import type {Rng} from './rng.js'
import type {SpecimenVariant} from './specimen.js'

export interface MovieSimOptions {
  /** Movie file name (recorded in the truth). */
  movie: string
  width: number
  height: number
  frames: number
  /** Pixel size (A). */
  pixelSize: number
  /** Dose per frame (e/A^2). */
  dosePerFrame: number
  /** kV, mm, fraction. */
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
  /** Defocus (A, positive = underfocus), U >= V; angle (deg) from +x toward +y (rows). */
  defocusU: number
  defocusV: number
  defocusAngle: number
  /** Phase-plate phase shift (deg). */
  phaseShift: number
  /** Defocus the microscope was asked for (A, positive = underfocus); the real one differs. */
  nominalDefocus?: number
  /** Envelope B-factor (A^2). */
  bFactor: number
  /** Mean particle diameter (A) and fraction of the ice area covered by isolated particles. */
  particleDiameter: number
  coverage: number
  /** Mean ice thickness (nm) and its relative RMS variation. */
  iceThickness: number
  iceVariation: number
  variant: SpecimenVariant
  drift: DriftOptions
  /** The camera's gain reference (shared by a session); a fresh one is drawn when absent. */
  gain?: GainReference
  /** Seed of this movie's random streams. */
  seed: number
  /** Why this movie should be rejected (set by the session for drift or faults), else null. */
  bad?: string | null
}

/** A session's fixed settings and the ranges per-movie values are drawn from. */
export interface SessionParameters {
  width: number
  height: number
  frames: number
  pixelSize: number
  dosePerFrame: number
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
  /** Target defocus range (A). */
  defocusMin: number
  defocusMax: number
  /** Largest astigmatism |U - V| (A). */
  astigmatismMax: number
  /** Phase plate: phase shift drawn per movie in [20, 120] deg (it charges up over a session). */
  phasePlate: boolean
  particleDiameter: number
  /** Probability that a movie is one of the bad variants (carbon edge, empty hole, ...). */
  badFraction: number
  /** Whether drift has a local, position-dependent component. */
  localMotion: boolean
  seed: number
}

export const defaultSessionParameters: SessionParameters = {
  width: 1024,
  height: 1024,
  frames: 24,
  pixelSize: 1.0,
  dosePerFrame: 1.0,
  voltage: 300,
  sphericalAberration: 2.7,
  amplitudeContrast: 0.1,
  defocusMin: 8000,
  defocusMax: 25000,
  astigmatismMax: 1000,
  phasePlate: false,
  particleDiameter: 150,
  badFraction: 0.15,
  localMotion: true,
  seed: 1,
}

const BAD_VARIANTS: {variant: SpecimenVariant | 'large-drift'; reason: string}[] = [
  {variant: 'carbon-edge', reason: 'carbon edge'},
  {variant: 'empty-hole', reason: 'empty hole'},
  {variant: 'aggregates', reason: 'aggregates'},
  {variant: 'crystalline-ice', reason: 'crystalline ice'},
  {variant: 'large-drift', reason: 'excessive drift'},
]

/** EPU-style defocus list: the targets from min to max in 0.25 um steps (A). */
export function defocusTargets(session: SessionParameters): number[] {
  const step = 2500
  const n = Math.max(1, Math.floor((session.defocusMax - session.defocusMin) / step) + 1)
  return Array.from({length: n}, (_, i) => session.defocusMin + i * step)
}

/**
 * One movie's values, drawn from the session's ranges with `rng`. Movie `index` cycles
 * through the defocus targets; the real defocus misses its target by ~0.1 um (autofocus).
 */
export function drawMovieOptions(session: SessionParameters, rng: Rng, movie: string, index = 0, gain?: GainReference): MovieSimOptions {
  const pick = rng.next() < session.badFraction ? BAD_VARIANTS[rng.int(BAD_VARIANTS.length)] : undefined
  const variant: SpecimenVariant = pick && pick.variant !== 'large-drift' ? pick.variant : 'normal'
  const targets = defocusTargets(session)
  const nominalDefocus = targets[index % targets.length]
  const mean = Math.max(2000, nominalDefocus + rng.normal() * 1000)
  // Astigmatism: mostly small, occasionally up to the maximum.
  const astig = session.astigmatismMax * Math.pow(rng.next(), 1.5)
  const {defocusU, defocusV, defocusAngle} = normalizeAstigmatism(mean + astig / 2, mean - astig / 2, rng.uniform(-90, 90))
  const pixelsPerA = 1 / session.pixelSize
  const largeDrift = pick?.variant === 'large-drift'
  return {
    movie,
    width: session.width,
    height: session.height,
    frames: session.frames,
    pixelSize: session.pixelSize,
    dosePerFrame: session.dosePerFrame,
    voltage: session.voltage,
    sphericalAberration: session.sphericalAberration,
    amplitudeContrast: session.amplitudeContrast,
    defocusU,
    defocusV,
    defocusAngle,
    phaseShift: session.phasePlate ? rng.uniform(20, 120) : 0,
    nominalDefocus,
    bFactor: rng.uniform(40, 140),
    particleDiameter: session.particleDiameter,
    coverage: rng.uniform(0.08, 0.3),
    iceThickness: rng.uniform(20, 70),
    iceVariation: rng.uniform(0.03, 0.15),
    variant,
    drift: {
      // Motion in A scales to pixels with the pixel size: 2-10 A early, 0.02-0.2 A per frame later.
      fastAmplitude: rng.uniform(2, 10) * pixelsPerA * (largeDrift ? 4 : 1),
      fastFrames: rng.uniform(1.5, 5),
      slowSpeed: rng.uniform(0.02, 0.2) * pixelsPerA * (largeDrift ? 10 : 1),
      jitter: 0.05 * pixelsPerA,
      localAmplitude: session.localMotion ? rng.uniform(0.3, 1.5) * pixelsPerA : 0,
    },
    gain,
    seed: rng.int(2 ** 31),
    bad: pick?.reason ?? null,
  }
}
