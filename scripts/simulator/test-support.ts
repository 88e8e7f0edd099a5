// Fixed, fully specified movie options for tests (no random draws), overridable per test.
import type {MovieSimOptions} from './options.js'

export function fixedMovieOptions(overrides: Partial<MovieSimOptions> = {}): MovieSimOptions {
  return {
    movie: 'test_0001.mrc',
    width: 512,
    height: 512,
    frames: 8,
    pixelSize: 1.0,
    dosePerFrame: 1.0,
    voltage: 300,
    sphericalAberration: 2.7,
    amplitudeContrast: 0.1,
    defocusU: 15000,
    defocusV: 15000,
    defocusAngle: 0,
    phaseShift: 0,
    bFactor: 60,
    particleDiameter: 120,
    coverage: 0.15,
    iceThickness: 40,
    iceVariation: 0.05,
    variant: 'normal',
    drift: {fastAmplitude: 4, fastFrames: 2, slowSpeed: 0.1, jitter: 0.02, localAmplitude: 0},
    seed: 7,
    bad: null,
    ...overrides,
  }
}
