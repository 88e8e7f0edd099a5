// One movie from its options: the specimen is built and imaged once on a map a little larger
// than the frame (so drifting frames never run out of specimen), then each frame is counted.
import {createImage, type Image2D} from '../../core/numeric/image.js'
import {accumulatedMotion, drawDrift, driftAt, type DriftModel} from './drift.js'
import type {MrcStatistics} from '../../core/formats/mrc-write.js'
import {frameCounter, sensitivityOf, type CountFrame, type IntensityMap} from './exposure.js'
import {drawGainReference, type GainReference} from './gain.js'
import {imageSpecimen} from './imaging.js'
import type {MovieSimOptions} from './options.js'
import {createRng, type Rng} from './rng.js'
import {buildSpecimen} from './specimen.js'
import type {MovieTruth} from './truth.js'

export interface SimulatedMovie {
  width: number
  height: number
  /** Raw counts per frame (the camera's view: specimen counts at sensitivity 1/gain). */
  frames: Float32Array[]
  /** Gain reference to multiply raw frames by. */
  gain: Float32Array
  truth: MovieTruth
}

/** A movie ready to be counted frame by frame (lets writers stream frames). */
export interface PreparedMovie {
  width: number
  height: number
  frameCount: number
  gain: GainReference
  truth: MovieTruth
  /**
   * Counts of frame `i` (0-based) into `out` (default: a new Float32Array); each call draws
   * fresh noise. With `statistics`, the stored values are added to it (FrameCounter.count).
   */
  frame(i: number, out?: Float32Array, statistics?: MrcStatistics): Float32Array
  frame<T extends CountFrame>(i: number, out: T, statistics?: MrcStatistics): T
}

export function prepareMovie(o: MovieSimOptions): PreparedMovie {
  const rng = createRng(o.seed, o.movie)
  const gain = o.gain ?? drawGainReference(rng.fork('gain'), o.width, o.height)
  const drift = drawDrift(rng.fork('drift'), o.frames, o.width, o.height, o.drift)
  const {map, particles, aggregates} = buildIntensityMap(o, rng, maxDisplacement(drift, o.width, o.height))
  const counter = frameCounter(map, drift, sensitivityOf(gain), gain, rng.fork('counting'))
  const electronsPerPixel = o.dosePerFrame * o.pixelSize * o.pixelSize
  const truth = movieTruth(o, drift, particles, aggregates, gain)
  return {
    width: o.width,
    height: o.height,
    frameCount: o.frames,
    gain,
    truth,
    frame: <T extends CountFrame>(i: number, out?: T, statistics?: MrcStatistics) => counter.count({electronsPerPixel, frame: i}, out ?? (new Float32Array(o.width * o.height) as T), statistics),
  }
}

export function simulateMovie(o: MovieSimOptions): SimulatedMovie {
  const m = prepareMovie(o)
  const frames = Array.from({length: m.frameCount}, (_, i) => m.frame(i))
  return {width: m.width, height: m.height, frames, gain: m.gain.gain, truth: m.truth}
}

/**
 * A single motion-free exposure with the movie's total dose and an ideal (gain-corrected,
 * defect-free) camera: the micrograph a perfect motion correction would produce.
 */
export function simulateMicrograph(o: MovieSimOptions): {image: Image2D; truth: MovieTruth} {
  const flat: GainReference = {width: o.width, height: o.height, gain: new Float32Array(o.width * o.height).fill(1), hotPixels: new Uint32Array(0), deadPixels: new Uint32Array(0), hotRate: 0}
  const still = {...o, frames: 1, dosePerFrame: o.dosePerFrame * o.frames, gain: flat, drift: {...o.drift, fastAmplitude: 0, slowSpeed: 0, jitter: 0, localAmplitude: 0}}
  const m = prepareMovie(still)
  const truth = {...m.truth, frames: o.frames, dosePerFrame: o.dosePerFrame, hotPixels: 0, deadPixels: 0}
  return {image: createImage(o.width, o.height, m.frame(0)), truth}
}

/** Largest specimen displacement over all frames (px), sampled on a coarse grid for local motion. */
function maxDisplacement(drift: DriftModel, width: number, height: number): number {
  let max = 0
  for (let f = 0; f < drift.global.length; f++) {
    for (const [x, y] of drift.local ? gridPoints(width, height, 9) : [[0, 0]]) {
      const [dx, dy] = driftAt(drift, f, x, y)
      max = Math.max(max, Math.abs(dx), Math.abs(dy))
    }
  }
  return max
}

function gridPoints(width: number, height: number, n: number): [number, number][] {
  const pts: [number, number][] = []
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) pts.push([(i / (n - 1)) * (width - 1), (j / (n - 1)) * (height - 1)])
  return pts
}

function buildIntensityMap(o: MovieSimOptions, rng: Rng, displacement: number) {
  const margin0 = Math.ceil(displacement) + 4
  const mapWidth = smoothSize(o.width + 2 * margin0)
  const mapHeight = smoothSize(o.height + 2 * margin0)
  // Centre the frame in the map; the spare pixels from rounding up go to both sides.
  const margin = Math.floor(Math.min(mapWidth - o.width, mapHeight - o.height) / 2)
  const specimen = buildSpecimen(
    {width: mapWidth, height: mapHeight, pixelSize: o.pixelSize, voltage: o.voltage, particleDiameter: o.particleDiameter, coverage: o.coverage, iceThickness: o.iceThickness, iceVariation: o.iceVariation, variant: o.variant},
    rng.fork('specimen'),
  )
  const data = imageSpecimen(specimen, {width: mapWidth, height: mapHeight, pixelSize: o.pixelSize, ctf: o, bFactor: o.bFactor}, rng.fork('imaging'))
  const map: IntensityMap = {data, width: mapWidth, height: mapHeight, margin}
  const inFrame = ([x, y]: readonly number[]) => x >= 0 && y >= 0 && x < o.width && y < o.height
  const particles = specimen.particles.map(([x, y]) => [x - margin, y - margin] as [number, number]).filter(inFrame)
  const aggregates = specimen.aggregates.map(([x, y, r]) => [x - margin, y - margin, r] as [number, number, number]).filter(inFrame)
  return {map, particles, aggregates}
}

/** Smallest n' >= n whose prime factors are 2, 3 and 5, so the FFT stays fast. */
export function smoothSize(n: number): number {
  for (let m = n; ; m++) {
    let r = m
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p
    if (r === 1) return m
  }
}

function rms2(x: number[]): number {
  return Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length))
}

function movieTruth(o: MovieSimOptions, drift: DriftModel, particles: [number, number][], aggregates: [number, number, number][], gain: GainReference): MovieTruth {
  const last = drift.global.length - 1
  const localRms = drift.local ? rms2(gridPoints(o.width, o.height, 9).flatMap(([x, y]) => {
    const [dx, dy] = driftAt(drift, last, x, y)
    return [dx - drift.global[last][0], dy - drift.global[last][1]]
  })) * Math.SQRT2 : 0
  return {
    movie: o.movie,
    pixelSize: o.pixelSize,
    voltage: o.voltage,
    sphericalAberration: o.sphericalAberration,
    amplitudeContrast: o.amplitudeContrast,
    dosePerFrame: o.dosePerFrame,
    defocusU: o.defocusU,
    defocusV: o.defocusV,
    defocusAngle: o.defocusAngle,
    phaseShift: o.phaseShift,
    nominalDefocus: o.nominalDefocus,
    shifts: drift.global.map(([x, y]) => [x, y]),
    particleDiameter: o.particleDiameter,
    particles,
    bad: o.bad ?? null,
    width: o.width,
    height: o.height,
    frames: o.frames,
    bFactor: o.bFactor,
    iceThickness: o.iceThickness,
    variant: o.variant,
    aggregates,
    totalMotion: accumulatedMotion(drift.global),
    localMotionRms: localRms,
    hotPixels: gain.hotPixels.length,
    deadPixels: gain.deadPixels.length,
  }
}
