// Beam-induced specimen motion: a fast initial jump that decays over the first frames, then a
// slow, steady drift, plus small per-frame jitter; optionally a smooth local component that
// varies across the field (doming), zero at frame 1 and growing with the same time profile.
import type {Rng} from './rng.js'
import {fieldColumns, randomSmoothField, sampleField, sampleFieldAlongRow, type SmoothField} from './smooth-field.js'

export interface DriftOptions {
  /** Total motion of the fast, early phase (px). */
  fastAmplitude: number
  /** Frames over which the fast phase decays (e-folding, frames). */
  fastFrames: number
  /** Steady drift after the fast phase (px per frame). */
  slowSpeed: number
  /** Random per-frame jitter (px RMS per frame, a random walk). */
  jitter: number
  /** RMS of the local (position-dependent) motion at the last frame (px); 0 = global only. */
  localAmplitude: number
}

export interface DriftModel {
  /** Whole-field specimen motion per frame (px), frame 1 = [0, 0]. */
  global: [number, number][]
  /** Position-dependent part; its mean over the field is ~0, so `global` is the field average. */
  local?: LocalDrift
}

export interface LocalDrift {
  fieldX: SmoothField
  fieldY: SmoothField
  /** Local displacement scale per frame (px), 0 at frame 1. */
  scale: number[]
}

/** Draws one movie's trajectory; all directions are random, amplitudes are from `o`. */
export function drawDrift(rng: Rng, frames: number, width: number, height: number, o: DriftOptions): DriftModel {
  const fastDir = rng.uniform(0, 2 * Math.PI)
  // Stage drift usually continues roughly the way the beam pushed, but not exactly.
  const slowDir = fastDir + rng.normal() * 0.6
  const global: [number, number][] = []
  let jx = 0
  let jy = 0
  for (let f = 0; f < frames; f++) {
    if (f > 0) {
      jx += rng.normal() * o.jitter
      jy += rng.normal() * o.jitter
    }
    const fast = o.fastAmplitude * (1 - Math.exp(-f / o.fastFrames))
    const slow = o.slowSpeed * f
    global.push([fast * Math.cos(fastDir) + slow * Math.cos(slowDir) + jx, fast * Math.sin(fastDir) + slow * Math.sin(slowDir) + jy])
  }
  if (o.localAmplitude <= 0) return {global}
  const minWavelength = Math.max(width, height) / 2
  const profile = (f: number) => 1 - Math.exp(-f / o.fastFrames)
  const last = profile(frames - 1) || 1
  return {
    global,
    local: {
      fieldX: randomSmoothField(width, height, rng, minWavelength, 4),
      fieldY: randomSmoothField(width, height, rng, minWavelength, 4),
      scale: Array.from({length: frames}, (_, f) => (o.localAmplitude * profile(f)) / last / Math.SQRT2),
    },
  }
}

/** Specimen motion (px) of frame `frame` at image position (x, y). */
export function driftAt(model: DriftModel, frame: number, x: number, y: number): [number, number] {
  const [gx, gy] = model.global[frame]
  if (!model.local) return [gx, gy]
  const s = model.local.scale[frame]
  return [gx + s * sampleField(model.local.fieldX, x, y), gy + s * sampleField(model.local.fieldY, x, y)]
}

/** Shifts of fixed points along a row: (frame, row y) -> sx, sy. */
export type RowDrift = (frame: number, y: number, sx: Float64Array, sy: Float64Array) => void

/**
 * driftAt(model, frame, xs[i], y) for every i, bit for bit, into sx[i] and sy[i], for any frame
 * and row: the counting loop asks for a shift every 64 pixels of every row, at the same xs.
 */
export function driftAlongRows(model: DriftModel, xs: Float64Array): RowDrift {
  const local = model.local
  if (!local) {
    return (frame, _y, sx, sy) => {
      sx.fill(model.global[frame][0], 0, xs.length)
      sy.fill(model.global[frame][1], 0, xs.length)
    }
  }
  const columnsX = fieldColumns(local.fieldX, xs)
  const columnsY = fieldColumns(local.fieldY, xs)
  return (frame, y, sx, sy) => {
    const [gx, gy] = model.global[frame]
    const s = local.scale[frame]
    sampleFieldAlongRow(local.fieldX, y, columnsX, sx)
    sampleFieldAlongRow(local.fieldY, y, columnsY, sy)
    for (let i = 0; i < xs.length; i++) {
      sx[i] = gx + s * sx[i]
      sy[i] = gy + s * sy[i]
    }
  }
}

/** RELION's accumulated motion (px): sum of frame-to-frame distances. */
export function accumulatedMotion(shifts: [number, number][]): number {
  let total = 0
  for (let f = 1; f < shifts.length; f++) total += Math.hypot(shifts[f][0] - shifts[f - 1][0], shifts[f][1] - shifts[f - 1][1])
  return total
}
