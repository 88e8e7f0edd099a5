// Gain reference handling: orientation exactly as RELION's --gain_rot / --gain_flip (checked
// against the gain.mrc that relion_run_motioncorr writes), and a check that the orientation
// given is the one that flattens the movie best.
import type {GainFlip, GainRotation} from './options.js'

export interface Plane {
  width: number
  height: number
  data: Float32Array
}

/**
 * Rotates `rotation` x 90 degrees clockwise as displayed with row 0 on top, then flips
 * (1: rows, upside down; 2: columns, left to right). A 90/270 rotation swaps width and height.
 */
export function orientGain(gain: Plane, rotation: GainRotation, flip: GainFlip): Plane {
  const {width: w, height: h, data} = gain
  const swap = rotation % 2 === 1
  const ow = swap ? h : w
  const oh = swap ? w : h
  const out = new Float32Array(w * h)
  for (let oy = 0; oy < oh; oy++) {
    // Flip is applied after rotation, so it acts on output coordinates.
    const ry = flip === 1 ? oh - 1 - oy : oy
    for (let ox = 0; ox < ow; ox++) {
      const rx = flip === 2 ? ow - 1 - ox : ox
      let sx: number
      let sy: number
      if (rotation === 0) [sx, sy] = [rx, ry]
      else if (rotation === 1) [sx, sy] = [ry, h - 1 - rx]
      else if (rotation === 2) [sx, sy] = [w - 1 - rx, h - 1 - ry]
      else [sx, sy] = [w - 1 - ry, rx]
      out[oy * ow + ox] = data[sy * w + sx]
    }
  }
  return {width: ow, height: oh, data: out}
}

/** Index of the first NaN/Inf value, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i
  return -1
}

export function multiplyInPlace(frame: Float32Array, gain: Float32Array): void {
  for (let i = 0; i < frame.length; i++) frame[i] *= gain[i]
}

export interface OrientationCheck {
  /** Relative variance of the gain-corrected unaligned sum with the orientation given. */
  given: number
  /** The orientation that flattens the sum most, and its relative variance. */
  best: {rotation: GainRotation; flip: GainFlip; variance: number}
}

/**
 * Multiplies the raw (uncorrected) frame sum by the gain in each of the 8 orientations of the
 * right size and compares how flat the result is: a gain applied in the right orientation
 * cancels the detector's fixed pattern, a wrong one doubles it.
 */
export function checkGainOrientation(rawSum: Plane, gain: Plane, rotation: GainRotation, flip: GainFlip, bad?: Uint8Array): OrientationCheck {
  let given = NaN
  let best = {rotation, flip, variance: Infinity}
  for (const r of [0, 1, 2, 3] as GainRotation[]) {
    for (const f of [0, 1, 2] as GainFlip[]) {
      // Rotation 2 + flip 1 is flip 2 of rotation 0 and so on: skip the duplicates.
      if (r >= 2 && f !== 0) continue
      const o = orientGain(gain, r, f)
      if (o.width !== rawSum.width || o.height !== rawSum.height) continue
      const v = relativeVariance(rawSum.data, o.data, bad)
      if (sameOrientation(r, f, rotation, flip)) given = v
      if (v < best.variance) best = {rotation: r, flip: f, variance: v}
    }
  }
  return {given, best}
}

/** Whether (r1, f1) and (r2, f2) are the same transformation of the plane. */
export function sameOrientation(r1: GainRotation, f1: GainFlip, r2: GainRotation, f2: GainFlip): boolean {
  const probe = {width: 3, height: 2, data: Float32Array.from([0, 1, 2, 3, 4, 5])}
  const a = orientGain(probe, r1, f1)
  const b = orientGain(probe, r2, f2)
  return a.width === b.width && a.data.every((v, i) => v === b.data[i])
}

/** var(raw * gain) / mean(raw * gain)^2 over good pixels. */
function relativeVariance(raw: Float32Array, gain: Float32Array, bad?: Uint8Array): number {
  let n = 0
  let sum = 0
  let sum2 = 0
  for (let i = 0; i < raw.length; i++) {
    if (bad?.[i] || gain[i] === 0) continue
    const v = raw[i] * gain[i]
    n++
    sum += v
    sum2 += v * v
  }
  const mean = sum / n
  return (sum2 / n - mean * mean) / (mean * mean)
}

/** Worth a warning: another orientation removes clearly more fixed pattern than the given one. */
export function orientationLooksWrong(check: OrientationCheck): boolean {
  return check.best.variance < 0.7 * check.given
}
