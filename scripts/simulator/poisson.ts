// Poisson counts by inversion of the CDF with one 32-bit uniform per draw. A guide table answers
// most draws with one byte lookup: for a band of means and a band of uniforms it holds the count
// when every (mean, uniform) in the cell inverts to the same count; other cells fall back to the
// exact inversion, so the table never changes a count, it only skips the arithmetic. The table
// reads only the uniform's top 9 bits, so a draw starts from 16 bits (half an sfc32 output) and
// takes the other 16 only when its cell is ambiguous (~2 % of draws at cryo-EM doses).
import {sfc32} from './rng.js'

/** exp(-lambda) tabulated every 1/512 up to 64 (linear interpolation: relative error < 1e-6). */
const EXP_TABLE_MAX = 64
const EXP_TABLE_SCALE = 512
const expTable = Float64Array.from({length: EXP_TABLE_MAX * EXP_TABLE_SCALE + 2}, (_, i) => Math.exp(-i / EXP_TABLE_SCALE))
/** Counts stop here (a saturated pixel), far above any real per-frame count. */
export const MAX_COUNT = 1024
/** 1/k for the Poisson recursion: a multiply instead of a divide. */
const reciprocal = Float64Array.from({length: MAX_COUNT + 1}, (_, k) => (k === 0 ? 0 : 1 / k))
/** Index of the last Poisson term computed without branches. */
const LAST_UNROLLED_TERM = 5

/** Guide cells: means in steps of 1/GUIDE_SCALE up to GUIDE_MAX, uniforms in 2^GUIDE_BITS bands. */
const GUIDE_SCALE = 128
const GUIDE_MAX = 32
const GUIDE_ROWS = GUIDE_MAX * GUIDE_SCALE
const GUIDE_BITS = 9
const GUIDE_COLUMNS = 1 << GUIDE_BITS
/** Count + 1 per cell, 0 = ambiguous or not built yet (rows are built when first needed). */
const guide = new Uint8Array(GUIDE_ROWS * GUIDE_COLUMNS)
const guideBuilt = new Uint8Array(GUIDE_ROWS)
/** Margin for the inversion's own rounding (exp table error < 1e-6 of the CDF). */
const GUIDE_EPSILON = 4e-6

/**
 * Poisson count of mean `lambda` for the 32-bit uniform u = (half * 2^16 + low) / 2^32, where
 * `half` is 16 random bits (0..65535) and `low` the top 16 bits of the next draw from `refine`,
 * taken only when the guide cell is ambiguous: the smallest k with u <= CDF(k).
 */
export function poissonCountFromHalf(lambda: number, half: number, refine: Uint32Array): number {
  const cell = lambda * GUIDE_SCALE
  const v = cell < GUIDE_ROWS ? guide[((cell | 0) << GUIDE_BITS) | (half >>> (16 - GUIDE_BITS))] : 0
  return v !== 0 ? v - 1 : guideMiss(lambda, half, refine)
}

/**
 * A cell the table could not answer: its row may not be built yet (then it is, and asked
 * again), else the cell is ambiguous and the draw takes 16 more bits. So whether `refine` is
 * drawn from depends only on the cell, never on which rows earlier draws happened to build.
 */
function guideMiss(lambda: number, half: number, refine: Uint32Array): number {
  const row = Math.floor(lambda * GUIDE_SCALE)
  if (row >= 0 && row < GUIDE_ROWS && guideBuilt[row] === 0) {
    buildGuideRow(row)
    const v = guide[(row << GUIDE_BITS) | (half >>> (16 - GUIDE_BITS))]
    if (v !== 0) return v - 1
  }
  const bits = (half << 16) | (sfc32(refine) >>> 16)
  return poissonByInversion(lambda, (bits >>> 0) * 2.3283064365386963e-10)
}

/** Exact inversion for uniform `u` in [0, 1): ~lambda + 1 steps; means <= 0 count nothing. */
export function poissonByInversion(lambda: number, u: number): number {
  if (!(lambda > 0)) return 0
  let limit: number
  if (lambda < EXP_TABLE_MAX) {
    const tpos = lambda * EXP_TABLE_SCALE
    const ti = tpos | 0
    limit = expTable[ti] + (expTable[ti + 1] - expTable[ti]) * (tpos - ti)
  } else {
    limit = Math.exp(-lambda)
  }
  // The first terms without branches (k is random, so a loop would mispredict about once per draw).
  let p = limit
  let cdf = limit
  let k = +(u > cdf)
  p *= lambda
  cdf += p
  k += +(u > cdf)
  p *= lambda * 0.5
  cdf += p
  k += +(u > cdf)
  p *= lambda * 0.3333333333333333
  cdf += p
  k += +(u > cdf)
  p *= lambda * 0.25
  cdf += p
  k += +(u > cdf)
  p *= lambda * 0.2
  cdf += p
  k += +(u > cdf)
  if (u > cdf) {
    let j = LAST_UNROLLED_TERM
    while (u > cdf && j < MAX_COUNT) {
      j++
      p *= lambda * reciprocal[j]
      cdf += p
    }
    k = j
  }
  return k
}

/**
 * One band of means [lo, hi): a cell of uniforms [a, b) gets count k when CDF(i) stays below a
 * for every i < k and CDF(k) stays above b over the whole band (the CDF falls as the mean grows).
 */
function buildGuideRow(row: number): void {
  const lo = row / GUIDE_SCALE
  const hi = (row + 1) / GUIDE_SCALE
  const most = cdfTerms(lo)
  const least = cdfTerms(hi)
  const base = row * GUIDE_COLUMNS
  let k = 0
  for (let m = 0; m < GUIDE_COLUMNS; m++) {
    const a = m / GUIDE_COLUMNS
    const b = (m + 1) / GUIDE_COLUMNS
    while (k < most.length && a > most[k] + GUIDE_EPSILON) k++
    guide[base + m] = k < least.length && k < 255 && b + GUIDE_EPSILON <= least[k] ? k + 1 : 0
  }
  guideBuilt[row] = 1
}

/** CDF(0..K) of Poisson(lambda) in double precision, up to the first within 1e-12 of 1. */
function cdfTerms(lambda: number): Float64Array {
  const terms: number[] = []
  let p = Math.exp(-lambda)
  let cdf = p
  for (let k = 0; k < 255; k++) {
    terms.push(cdf)
    if (cdf >= 1 - 1e-12) break
    p *= lambda / (k + 1)
    cdf += p
  }
  return Float64Array.from(terms)
}
