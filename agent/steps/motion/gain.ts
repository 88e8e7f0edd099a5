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
  const map = orientation(gain.width, gain.height, rotation, flip)
  const out = new Float32Array(gain.data.length)
  for (let oy = 0; oy < map.height; oy++) {
    for (let ox = 0; ox < map.width; ox++) out[oy * map.width + ox] = gain.data[map.source(ox, oy)]
  }
  return {width: map.width, height: map.height, data: out}
}

/** Output size of an orientation and, per output pixel, the index of its source pixel. */
function orientation(w: number, h: number, rotation: GainRotation, flip: GainFlip) {
  const swap = rotation % 2 === 1
  const ow = swap ? h : w
  const oh = swap ? w : h
  const source = (ox: number, oy: number): number => {
    // The flip is applied after the rotation, so it acts on output coordinates.
    const rx = flip === 2 ? ow - 1 - ox : ox
    const ry = flip === 1 ? oh - 1 - oy : oy
    if (rotation === 0) return ry * w + rx
    if (rotation === 1) return (h - 1 - rx) * w + ry
    if (rotation === 2) return (h - 1 - ry) * w + (w - 1 - rx)
    return rx * w + (w - 1 - ry)
  }
  return {width: ow, height: oh, source}
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
  /** Correlation of the raw sum's pixel-scale pattern with the inverse gain as given. */
  given: number
  /** The orientation whose inverse gain correlates best, and its correlation. */
  best: {rotation: GainRotation; flip: GainFlip; correlation: number}
  /** Correlation that chance alone stays below (6 / sqrt(pixels compared): 6 sigma). */
  noise: number
}

/** Rows compared: about this many, evenly spaced (half a million pixels at 4K: plenty, and cheap). */
const ROWS_COMPARED = 128

/**
 * A camera records counts / gain, so the raw (uncorrected) sum carries the inverse gain's
 * pixel-to-pixel pattern. Correlates the raw sum with 1 / gain in each orientation of the
 * right size, both high-passed (pixel minus its 4 neighbours' mean) so that the specimen and
 * illumination drop out; the right orientation stands out far above chance.
 */
export function checkGainOrientation(rawSum: Plane, gain: Plane, rotation: GainRotation, flip: GainFlip, bad?: Uint8Array): OrientationCheck {
  const inverse = new Float32Array(gain.data.length)
  for (let i = 0; i < inverse.length; i++) inverse[i] = gain.data[i] > 0 ? 1 / gain.data[i] : 0
  const inversePlane = {width: gain.width, height: gain.height, data: inverse}
  let given = 0
  let best = {rotation, flip, correlation: -Infinity}
  let count = 0
  for (const r of [0, 1, 2, 3] as GainRotation[]) {
    for (const f of [0, 1, 2] as GainFlip[]) {
      // Rotation 2 or 3 with a flip repeats rotation 0 or 1 with the other flip.
      if (r >= 2 && f !== 0) continue
      const map = orientation(gain.width, gain.height, r, f)
      if (map.width !== rawSum.width || map.height !== rawSum.height) continue
      const c = highPassCorrelation(rawSum, inversePlane, map.source, bad)
      count = c.count
      if (sameOrientation(r, f, rotation, flip)) given = c.value
      if (c.value > best.correlation) best = {rotation: r, flip: f, correlation: c.value}
    }
  }
  return {given, best, noise: 6 / Math.sqrt(Math.max(1, count))}
}

/**
 * Pearson correlation of high-passed a(x, y) with high-passed b at source(x, y), over good
 * interior pixels of about ROWS_COMPARED rows. Along an output row the source index is affine in
 * x, and the 4-neighbourhood maps onto itself under rotations and flips, so both high-passes
 * are taken in place.
 */
function highPassCorrelation(a: Plane, b: Plane, source: (x: number, y: number) => number, bad?: Uint8Array) {
  const {width: w, height: h, data: av} = a
  const bv = b.data
  const bw = b.width
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0
  const step = Math.max(1, Math.floor(h / ROWS_COMPARED))
  for (let y = 2; y < h - 2; y += step) {
    const s0 = source(0, y)
    const stride = source(1, y) - s0
    for (let x = 2; x < w - 2; x++) {
      const i = y * w + x
      if (bad && (bad[i] || bad[i - 1] || bad[i + 1] || bad[i - w] || bad[i + w])) continue
      const s = s0 + x * stride
      const va = av[i] - 0.25 * (av[i - 1] + av[i + 1] + av[i - w] + av[i + w])
      const vb = bv[s] - 0.25 * (bv[s - 1] + bv[s + 1] + bv[s - bw] + bv[s + bw])
      n++
      sa += va
      sb += vb
      saa += va * va
      sbb += vb * vb
      sab += va * vb
    }
  }
  const cov = sab / n - (sa / n) * (sb / n)
  const den = Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2))
  return {value: den > 0 ? cov / den : 0, count: n}
}

/** Whether (r1, f1) and (r2, f2) are the same transformation of the plane. */
export function sameOrientation(r1: GainRotation, f1: GainFlip, r2: GainRotation, f2: GainFlip): boolean {
  const probe = {width: 3, height: 2, data: Float32Array.from([0, 1, 2, 3, 4, 5])}
  const a = orientGain(probe, r1, f1)
  const b = orientGain(probe, r2, f2)
  return a.width === b.width && a.data.every((v, i) => v === b.data[i])
}

/** Worth a warning: another orientation matches the detector clearly better than the given one. */
export function orientationLooksWrong(check: OrientationCheck): boolean {
  return check.best.correlation > check.noise && check.best.correlation - check.given > 0.5 * check.best.correlation
}
