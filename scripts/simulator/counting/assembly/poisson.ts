// AssemblyScript (not type-checked by tsc: tsconfig.json excludes it), compiled by asc (../build.ts): f64, usize, load<T> are its types.
// Poisson counts by inversion of the CDF with one 32-bit uniform per draw. A guide table answers
// most draws with one byte: for a band of means and a band of uniforms it holds the count when
// every (mean, uniform) in the cell inverts to the same count; other cells fall back to the
// exact inversion, so the table never changes a count, it only skips the arithmetic. The table
// reads only the uniform's top 9 bits, so a draw starts from 16 bits and takes 16 more (from
// the refine stream) only when its cell is ambiguous (~2 % of draws at cryo-EM doses).
import {sfc32} from './sfc32'

/** exp(-lambda) tabulated every 1/512 up to 64 (linear interpolation: relative error < 1e-6). */
const EXP_TABLE_MAX: f64 = 64
const EXP_TABLE_SCALE: f64 = 512
const EXP_TABLE_LENGTH: i32 = 64 * 512 + 2
/** Counts stop here (a saturated pixel), far above any real per-frame count. */
export const MAX_COUNT: i32 = 1024
/** Guide cells: means in steps of 1/GUIDE_SCALE up to 32, uniforms in 2^GUIDE_BITS bands. */
export const GUIDE_SCALE: f32 = 128
export const GUIDE_ROWS: i32 = 32 * 128
export const GUIDE_BITS: i32 = 9
const GUIDE_COLUMNS: i32 = 1 << GUIDE_BITS
/** Margin for the inversion's own rounding (exp table error < 1e-6 of the CDF). */
const GUIDE_EPSILON: f64 = 4e-6
/** CDF terms a guide row needs at most (counts in a cell are stored as count + 1 in a byte). */
const CDF_TERMS: i32 = 255

/** Where the tables live (tablesAt): exp table, 1/k, the guide (count + 1, 0 = ambiguous). */
let expTable: usize = 0
let reciprocal: usize = 0
export let guide: usize = 0
let cdfLow: usize = 0
let cdfHigh: usize = 0
/** The refine stream's sfc32 state (4 x u32). */
export let refine: usize = 0

/** Bytes the tables take (placed by tablesAt at a 16-byte-aligned address). */
export function tableBytes(): usize {
  return <usize>(EXP_TABLE_LENGTH + MAX_COUNT + 1 + 2 * CDF_TERMS) * 8 + <usize>(GUIDE_ROWS + 1) * GUIDE_COLUMNS + 16
}

/**
 * Builds every table at `at`. The guide has one extra row of zeros, so a mean past the table
 * (row GUIDE_ROWS after clamping) is ambiguous and goes to the inversion.
 */
export function tablesAt(at: usize): void {
  expTable = at
  reciprocal = expTable + (<usize>EXP_TABLE_LENGTH << 3)
  cdfLow = reciprocal + (<usize>(MAX_COUNT + 1) << 3)
  cdfHigh = cdfLow + (<usize>CDF_TERMS << 3)
  refine = cdfHigh + (<usize>CDF_TERMS << 3)
  guide = refine + 16
  for (let i = 0; i < EXP_TABLE_LENGTH; i++) store<f64>(expTable + (<usize>i << 3), Math.exp(-<f64>i / EXP_TABLE_SCALE))
  store<f64>(reciprocal, 0)
  for (let k = 1; k <= MAX_COUNT; k++) store<f64>(reciprocal + (<usize>k << 3), 1 / <f64>k)
  for (let row = 0; row < GUIDE_ROWS; row++) buildGuideRow(row)
  memory.fill(guide + (<usize>GUIDE_ROWS << GUIDE_BITS), 0, GUIDE_COLUMNS)
}

/**
 * One band of means [lo, hi): a cell of uniforms [a, b) gets count k when CDF(i) stays below a
 * for every i < k and CDF(k) stays above b over the whole band (the CDF falls as the mean grows).
 */
function buildGuideRow(row: i32): void {
  const most = cdfTerms(<f64>row / GUIDE_SCALE, cdfLow)
  const least = cdfTerms(<f64>(row + 1) / GUIDE_SCALE, cdfHigh)
  const base = guide + (<usize>row << GUIDE_BITS)
  let k = 0
  for (let m = 0; m < GUIDE_COLUMNS; m++) {
    const a = <f64>m / GUIDE_COLUMNS
    const b = <f64>(m + 1) / GUIDE_COLUMNS
    while (k < most && a > load<f64>(cdfLow + (<usize>k << 3)) + GUIDE_EPSILON) k++
    const sure = k < least && k < CDF_TERMS && b + GUIDE_EPSILON <= load<f64>(cdfHigh + (<usize>k << 3))
    store<u8>(base + m, sure ? k + 1 : 0)
  }
}

/** CDF(0..K) of Poisson(lambda) at `out`, up to the first within 1e-12 of 1; returns K + 1. */
function cdfTerms(lambda: f64, out: usize): i32 {
  let p = Math.exp(-lambda)
  let cdf = p
  let n = 0
  while (n < CDF_TERMS) {
    store<f64>(out + (<usize>n << 3), cdf)
    n++
    if (cdf >= 1 - 1e-12) break
    p *= lambda / <f64>n
    cdf += p
  }
  return n
}

/**
 * Count of mean `lambda` from 16 random bits `half` (the uniform's top 16): the guide cell's
 * count, or for an ambiguous cell the exact inversion of u = (half * 2^16 + low) / 2^32 with
 * `low` the top 16 bits of the next refine draw. `cell` is the mean's guideRow.
 */
export function countFromHalf(cell: i32, lambda: f32, half: u32): i32 {
  return countAt(guideIndex(cell, half), lambda, half)
}

/** The guide byte of a cell: the mean's row, the band of the uniform's top GUIDE_BITS bits (counting.ts computes four at a time). */
@inline
function guideIndex(cell: i32, half: u32): i32 {
  return (cell << GUIDE_BITS) | (half >>> (16 - GUIDE_BITS))
}

/** countFromHalf once the guide index is known. */
@inline
function countAt(index: i32, lambda: f32, half: u32): i32 {
  const v = <i32>load<u8>(guide + <usize>index)
  return v !== 0 ? v - 1 : refined(lambda, half)
}

/** The guide row of a mean: negative and NaN means share row 0 (they count 0), large ones the zero row. */
export function guideRow(lambda: f32): i32 {
  return min(max(i32(lambda * GUIDE_SCALE), 0), GUIDE_ROWS)
}

/** The exact inversion for an ambiguous cell: 16 more bits from the refine stream. */
export function refined(lambda: f32, half: u32): i32 {
  const bits = (half << 16) | (sfc32(refine) >>> 16)
  return poissonByInversion(<f64>lambda, <f64>bits * 2.3283064365386963e-10)
}

/** Exact inversion for uniform `u` in [0, 1): the smallest k with u <= CDF(k); means <= 0 count nothing. */
export function poissonByInversion(lambda: f64, u: f64): i32 {
  if (!(lambda > 0)) return 0
  let limit: f64
  if (lambda < EXP_TABLE_MAX) {
    const tpos = lambda * EXP_TABLE_SCALE
    const ti = <i32>tpos
    const at = expTable + (<usize>ti << 3)
    const e0 = load<f64>(at)
    limit = e0 + (load<f64>(at, 8) - e0) * (tpos - <f64>ti)
  } else {
    limit = Math.exp(-lambda)
  }
  let p = limit
  let cdf = limit
  let k = 0
  while (u > cdf && k < MAX_COUNT) {
    k++
    p *= lambda * load<f64>(reciprocal + (<usize>k << 3))
    cdf += p
  }
  return k
}
