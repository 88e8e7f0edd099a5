// Counting one frame: the expected intensity, moved by the frame's specimen motion (bilinear,
// constant within 64-pixel row segments so local motion costs nothing extra), times the dose
// and each pixel's sensitivity (1/gain), Poisson-sampled (half an inlined sfc32 draw per pixel,
// inverted through `poisson.ts`'s guide table); then hot and dead pixels. Optionally each stored
// value is tallied in a histogram as it is written, so a writer gets exact file statistics
// (MRC DMIN/DMAX/DMEAN/RMS) without a second pass over the frame.
import {driftAlongRow, type DriftModel} from './drift.js'
import type {GainReference} from './gain.js'
import {MAX_COUNT, poissonCountFromHalf} from './poisson.js'
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
 * Where a frame's counts go: floats, or straight into an int16/uint16 MRC section (counts
 * above the integer type's range saturate, as a camera's do).
 */
export type CountFrame = Float32Array | Int16Array | Uint16Array

/** Pixels per row segment sharing one shift (local motion varies over hundreds of pixels). */
const SEGMENT = 64

/** Tallies for callers that want none: Poisson counts never exceed MAX_COUNT. */
const discardedTallies = new Uint32Array(MAX_COUNT + 1)

/**
 * Raw counts of one frame, width x height, into `out` (default: a new Float32Array).
 * `sensitivity` is 1 / gain per pixel; `rng` supplies the Poisson draws. With `histogram`,
 * histogram[v] grows by one for every pixel stored with value v (defects included); it must be
 * longer than the largest value `out` can hold (65536 covers both integer types).
 */
export function exposeFrame<T extends CountFrame = Float32Array>(
  map: IntensityMap,
  drift: DriftModel,
  sensitivity: Float32Array,
  gain: GainReference,
  e: FrameExposure,
  rng: Rng,
  out: T = new Float32Array(gain.width * gain.height) as T,
  histogram?: Uint32Array,
): T {
  countFrame(map, drift, sensitivity, gain, e, rng, out, histogram ?? discardedTallies)
  applyDefects(out, gain, e.electronsPerPixel, rng, histogram)
  return out
}

/** The Poisson counts of every pixel (the hot loop). */
function countFrame(map: IntensityMap, drift: DriftModel, sensitivity: Float32Array, gain: GainReference, e: FrameExposure, rng: Rng, out: CountFrame, tally: Uint32Array): void {
  const {width, height} = gain
  // The low 16 bits of draws the guide table cannot answer with the first 16.
  const refine = rng.fork('guide misses').state()
  const s = rng.state()
  let a = s[0] | 0
  let b = s[1] | 0
  let c = s[2] | 0
  let d = s[3] | 0
  const src = map.data
  const mw = map.width
  const dose = e.electronsPerPixel
  const maxX = map.width - 2
  const maxY = map.height - 2
  // Global motion only: one shift for the whole frame, so a row is one segment.
  const segment = drift.local ? SEGMENT : width
  // Each segment's shift is the drift at its centre, asked for a whole row at a time.
  const centres = Float64Array.from({length: Math.ceil(width / segment)}, (_, i) => (i * segment + Math.min(width, (i + 1) * segment)) / 2)
  const shiftX = new Float64Array(centres.length)
  const shiftY = new Float64Array(centres.length)
  for (let y = 0; y < height; y++) {
    const row = y * width
    driftAlongRow(drift, e.frame, y, centres, shiftX, shiftY)
    for (let x0 = 0, j = 0; x0 < width; x0 += segment, j++) {
      const x1 = Math.min(width, x0 + segment)
      const sx = shiftX[j]
      const sy = shiftY[j]
      // Frame pixel x shows the specimen at x - shift (content moves by +shift).
      const px = x0 + map.margin - sx
      const py = Math.min(Math.max(y + map.margin - sy, 0), maxY)
      const iy = Math.floor(py)
      const fy = py - iy
      const fx = px - Math.floor(px)
      // Clamped per segment (the margin makes clamping rare): no bounds logic per pixel.
      const ix0 = Math.min(Math.max(Math.floor(px), 0), maxX - (x1 - x0 - 1))
      const top = (1 - fy) * dose
      const bottom = fy * dose
      const gx = 1 - fx
      // Each source column is blended between its two rows once; the pixel blends two columns.
      let q = iy * mw + ix0
      let left = top * src[q] + bottom * src[q + mw]
      // Unrolled by two: one sfc32 draw (inlined: this loop runs 670 million times for a 4k x
      // 40-frame movie; int32 arithmetic keeps the state in registers) serves a pair of pixels,
      // 16 bits each (poissonCountFromHalf).
      for (let x = x0; x < x1; x += 2) {
        const t = (((a + b) | 0) + d) | 0
        d = (d + 1) | 0
        a = b ^ (b >>> 9)
        b = (c + (c << 3)) | 0
        c = (c << 21) | (c >>> 11)
        c = (c + t) | 0
        const mid = top * src[q + 1] + bottom * src[q + 1 + mw]
        const k0 = poissonCountFromHalf((gx * left + fx * mid) * sensitivity[row + x], t >>> 16, refine)
        out[row + x] = k0
        tally[k0]++
        left = mid
        if (x + 1 === x1) break
        q += 2
        const right = top * src[q] + bottom * src[q + mw]
        const k1 = poissonCountFromHalf((gx * left + fx * right) * sensitivity[row + x + 1], t & 0xffff, refine)
        out[row + x + 1] = k1
        tally[k1]++
        left = right
      }
    }
  }
  s[0] = a
  s[1] = b
  s[2] = c
  s[3] = d
}

/** Hot pixels count at `hotRate` times the mean rate whatever the specimen; dead ones count nothing. */
function applyDefects(out: CountFrame, gain: GainReference, dose: number, rng: Rng, histogram: Uint32Array | undefined): void {
  const hotLambda = gain.hotRate * dose
  // Poisson counts stop at poisson.ts's MAX_COUNT, inside every type's range; hot pixels may not.
  const top = out instanceof Float32Array ? Infinity : out instanceof Int16Array ? 32767 : 65535
  const store = (i: number, value: number) => {
    if (histogram) {
      if (!(value < histogram.length)) throw new RangeError(`defect pixel ${i} counts ${value}, past the ${histogram.length}-bin histogram`)
      histogram[out[i]]--
      histogram[value]++
    }
    out[i] = value
  }
  for (const i of gain.hotPixels) store(i, Math.min(top, Math.max(0, Math.round(hotLambda + Math.sqrt(hotLambda) * rng.normal()))))
  for (const i of gain.deadPixels) store(i, 0)
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
