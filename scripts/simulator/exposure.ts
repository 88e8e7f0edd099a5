// Counting frames: the WebAssembly kernel (counting/) counts a frame row by row; this side asks
// the drift model for each row's shifts, draws the hot pixels' counts, and copies each counted
// row into the caller's frame. Exact file statistics (MRC DMIN/DMAX/DMEAN/RMS) come from the
// kernel's per-row integer sums of the stored values, so a writer needs no second pass.
import type {MrcStatistics} from '../../core/formats/mrc-write.js'
import {countingKernel, type CountingKernel} from './counting/instance.js'
import {driftAlongRows, type DriftModel} from './drift.js'
import type {GainReference} from './gain.js'
import type {Rng} from './rng.js'

/** The expected-intensity map of the specimen, larger than the frame by `margin` on every side. */
export interface IntensityMap {
  data: Float32Array
  width: number
  height: number
  /** Frame pixel (x, y) sits at map pixel (x + margin, y + margin) when there is no motion. */
  margin: number
}

export interface FrameExposure {
  /** Mean electrons per pixel in this frame (dose per frame x pixel size^2). */
  electronsPerPixel: number
  /** Frame index (0-based) into the drift model. */
  frame: number
}

/**
 * Where a frame's counts go: floats, or straight into an int16/uint16 MRC section. Counts are
 * those of a 16-bit counter: a hot pixel saturates at 32767 in int16 and at 65535 otherwise.
 */
export type CountFrame = Float32Array | Int16Array | Uint16Array

/** Counts the frames of one movie (one kernel instance holding its map and sensitivity). */
export interface FrameCounter {
  /**
   * Raw counts of one frame, width x height, into `out`; each call draws fresh noise. With
   * `statistics`, the stored values (defects included) are added to it.
   */
  count<T extends CountFrame>(e: FrameExposure, out: T, statistics?: MrcStatistics): T
}

/** Pixels per row segment sharing one shift (local motion varies over hundreds of pixels). */
const SEGMENT = 64

/**
 * A counter for frames of `map` moved by `drift`, seen by a camera with per-pixel `sensitivity`
 * (1 / gain) and `gain`'s defects. Its random streams are forked from `rng` here: the kernel's
 * four lanes, its refine stream, and the hot pixels' counts.
 */
export function frameCounter(map: IntensityMap, drift: DriftModel, sensitivity: Float32Array, gain: GainReference, rng: Rng): FrameCounter {
  const {width, height} = gain
  // Global motion only: one shift for the whole frame, so a row is one segment.
  const segment = drift.local ? SEGMENT : width
  const defects = defectPixels(gain)
  const kernel = countingKernel({map: map.data, mapWidth: map.width, mapHeight: map.height, margin: map.margin, sensitivity, width, segment, defects: defects.index})
  seedStreams(kernel, rng)
  const hotRng = rng.fork('hot pixels')
  // Each segment's shift is the drift at its centre, asked for a whole row at a time.
  const centres = Float64Array.from({length: kernel.shiftX.length}, (_, i) => (i * segment + Math.min(width, (i + 1) * segment)) / 2)
  const rowDrift = driftAlongRows(drift, centres)
  return {
    count(e, out, statistics) {
      if (out.length !== width * height) throw new RangeError(`frame buffer holds ${out.length} values, the frame has ${width} x ${height}`)
      drawDefectValues(kernel.defectValues, defects, gain.hotRate * e.electronsPerPixel, out instanceof Int16Array ? 32767 : 65535, hotRng)
      kernel.beginFrame(e.electronsPerPixel, statistics !== undefined)
      // Same element type: a plain copy; floats convert.
      const row = out instanceof Int16Array ? kernel.rowSigned : kernel.row
      for (let y = 0; y < height; y++) {
        rowDrift(e.frame, y, kernel.shiftX, kernel.shiftY)
        kernel.countRow(y)
        out.set(row, y * width)
      }
      if (statistics) addFrameStatistics(statistics, kernel.statistics(), width * height)
      return out
    },
  }
}

/** Counts of one frame into `out` (default: a new Float32Array) from a counter made for it. */
export function exposeFrame<T extends CountFrame = Float32Array>(
  map: IntensityMap,
  drift: DriftModel,
  sensitivity: Float32Array,
  gain: GainReference,
  e: FrameExposure,
  rng: Rng,
  out: T = new Float32Array(gain.width * gain.height) as T,
  statistics?: MrcStatistics,
): T {
  return frameCounter(map, drift, sensitivity, gain, rng).count(e, out, statistics)
}

/**
 * Four independent sfc32 streams, one per lane, each seeded through rng.fork (a fresh 128-bit
 * state from two parent draws and the lane's label, warmed up 15 steps): with sfc32's average
 * period near 2^127 and a counter guaranteeing at least 2^32 draws per lane (a 4k x 40-frame
 * movie takes 2^26.3), the lanes' sequences do not overlap in practice.
 */
function seedStreams(kernel: CountingKernel, rng: Rng): void {
  for (let lane = 0; lane < 4; lane++) {
    const s = rng.fork(`counting lane ${lane}`).state()
    for (let word = 0; word < 4; word++) kernel.lanes[word * 4 + lane] = s[word]
  }
  kernel.refine.set(rng.fork('guide misses').state())
}

interface DefectPixels {
  /** Hot and dead pixel indices, ascending. */
  index: Uint32Array
  /** Per entry, its position in gain.hotPixels, or -1 for a dead pixel (dead wins if both). */
  hotSlot: Int32Array
  hotCount: number
}

function defectPixels(gain: GainReference): DefectPixels {
  const slots = new Map<number, number>()
  gain.hotPixels.forEach((i, slot) => slots.set(i, slot))
  for (const i of gain.deadPixels) slots.set(i, -1)
  const index = Uint32Array.from(slots.keys()).sort()
  return {index, hotSlot: Int32Array.from(index, (i) => slots.get(i)!), hotCount: gain.hotPixels.length}
}

/** Hot pixels count at `hotLambda` (Gaussian, rounded, at most `top`) whatever the specimen; dead ones count nothing. */
function drawDefectValues(values: Uint32Array, defects: DefectPixels, hotLambda: number, top: number, rng: Rng): void {
  const hot = Float64Array.from({length: defects.hotCount}, () => Math.min(top, Math.max(0, Math.round(hotLambda + Math.sqrt(hotLambda) * rng.normal()))))
  defects.hotSlot.forEach((slot, j) => (values[j] = slot < 0 ? 0 : hot[slot]))
}

function addFrameStatistics(s: MrcStatistics, frame: {sum: number; sumSquares: number; min: number; max: number}, count: number): void {
  s.min = Math.min(s.min, frame.min)
  s.max = Math.max(s.max, frame.max)
  s.sum += frame.sum
  s.sumSquares += frame.sumSquares
  s.count += count
}

const sensitivities = new WeakMap<GainReference, Float32Array>()

/** Per-pixel counting sensitivity: the reciprocal of the gain reference (computed once per camera). */
export function sensitivityOf(gain: GainReference): Float32Array {
  let s = sensitivities.get(gain)
  if (!s) {
    s = new Float32Array(gain.gain.length)
    for (let i = 0; i < s.length; i++) s[i] = 1 / gain.gain[i]
    sensitivities.set(gain, s)
  }
  return s
}
