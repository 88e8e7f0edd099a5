// AssemblyScript (not type-checked by tsc: tsconfig.json excludes it), compiled by asc (../build.ts): i32, f32, v128, load<T> are its types.
// Counting one row of a frame: the expected intensity, moved by the frame's specimen motion
// (bilinear, one shift per row segment), times the dose and each pixel's sensitivity (1/gain),
// Poisson-sampled through the guide table (poisson.ts), eight pixels per step: four sfc32
// streams in the lanes of an i32x4 give 128 random bits, 16 per pixel. Then the row's hot and
// dead pixels, and the exact statistics of the stored row (sum, sum of squares, min, max).
import {guide, GUIDE_BITS, GUIDE_ROWS, GUIDE_SCALE, refined} from './poisson'

export {MAX_COUNT, countFromHalf, guideRow, poissonByInversion, refine, tableBytes, tablesAt} from './poisson'

/** First byte after the kernel's own static data: the layout JS allocates starts here or later. */
export const HEAP_BASE: usize = __heap_base

/** Pixels one step counts: 4 lanes x 2 halves of a 32-bit draw. */
export const STEP: i32 = 8

// The movie's geometry and where its arrays live, set once by configure().
let map: usize = 0
let mapWidth: i32 = 0
let mapHeight: i32 = 0
let margin: i32 = 0
let sensitivity: usize = 0
let width: i32 = 0
let segment: i32 = 0
let shiftX: usize = 0
let shiftY: usize = 0
let row: usize = 0
let rowMeans: usize = 0
let rowHalves: usize = 0
let lanes: usize = 0
let defectIndex: usize = 0
let defectValue: usize = 0
let defectCount: i32 = 0
let statistics: usize = 0

// Per frame (beginFrame).
let dose: f64 = 0
let nextDefect: i32 = 0
let tally: bool = false

/**
 * The layout JS allocated: the intensity map (f32, mapWidth x mapHeight, frame pixel (x, y) at
 * (x + margin, y + margin) without motion), the sensitivity (f32, width per row), one shift
 * pair (f64) per row segment of `segment` pixels, the counted row (u16, padded to STEP) and
 * its pixels' means (f32) and 16 random bits (u16) for the ambiguous cells, the lanes' sfc32 state (a, b, c, d as four i32x4), the defects (u32 pixel index, ascending,
 * and u32 value per frame), the statistics (i64 sum, i64 sum of squares, i32 min, i32 max).
 */
export function configure(
  mapAt: usize, mapW: i32, mapH: i32, mapMargin: i32, sensitivityAt: usize, frameWidth: i32, rowSegment: i32,
  shiftXAt: usize, shiftYAt: usize, rowAt: usize, rowMeansAt: usize, rowHalvesAt: usize, lanesAt: usize, defectIndexAt: usize, defectValueAt: usize, defects: i32, statisticsAt: usize,
): void {
  map = mapAt
  mapWidth = mapW
  mapHeight = mapH
  margin = mapMargin
  sensitivity = sensitivityAt
  width = frameWidth
  segment = rowSegment
  shiftX = shiftXAt
  shiftY = shiftYAt
  row = rowAt
  rowMeans = rowMeansAt
  rowHalves = rowHalvesAt
  lanes = lanesAt
  defectIndex = defectIndexAt
  defectValue = defectValueAt
  defectCount = defects
  statistics = statisticsAt
}

/** Starts a frame: its mean electrons per pixel; with `withStatistics`, rows are tallied from zero. */
export function beginFrame(electronsPerPixel: f64, withStatistics: bool): void {
  dose = electronsPerPixel
  nextDefect = 0
  tally = withStatistics
  store<i64>(statistics, 0)
  store<i64>(statistics, 0, 8)
  store<i32>(statistics, 0x7fffffff, 16)
  store<i32>(statistics, -1, 20)
}

/** Counts row `y` into the row buffer (shifts for its segments already in place), then its defects and tallies. */
export function countRow(y: i32): void {
  const maxX = mapWidth - 2
  const maxY = <f64>(mapHeight - 2)
  for (let x0 = 0, j = 0; x0 < width; x0 += segment, j++) {
    const n = min(width, x0 + segment) - x0
    // Frame pixel x shows the specimen at x - shift (content moves by +shift).
    const px = <f64>(x0 + margin) - load<f64>(shiftX + (<usize>j << 3))
    const py = min(max(<f64>(y + margin) - load<f64>(shiftY + (<usize>j << 3)), 0), maxY)
    const iy = <i32>Math.floor(py)
    const fy = py - <f64>iy
    const fx = px - Math.floor(px)
    // Clamped per segment (the margin makes clamping rare): no bounds logic per pixel.
    const ix0 = min(max(<i32>Math.floor(px), 0), maxX - (n - 1))
    const source = map + (<usize>(iy * mapWidth + ix0) << 2)
    const weights = sensitivity + (<usize>(y * width + x0) << 2)
    if (countSegment(source, weights, x0, n, <f32>((1 - fx) * (1 - fy) * dose), <f32>(fx * (1 - fy) * dose), <f32>((1 - fx) * fy * dose), <f32>(fx * fy * dose))) refineSegment(x0, n)
  }
  applyDefects(y)
  if (tally) tallyRow()
}

/**
 * Pixels x0 .. x0 + n of the row (n rounded up to STEP; the buffers and arrays are padded for
 * it): the bilinear blend of the four source pixels with weights w00 w01 (top row, left and
 * right) w10 w11 (bottom row), times the sensitivity, counted through the guide table. A pixel
 * in an ambiguous cell is stored as 0xffff with its mean and bits beside it, for refineSegment:
 * no call in this loop, so the lanes' state and the constants stay in registers. True when
 * some pixel needs refining.
 */
function countSegment(source: usize, weights: usize, x0: i32, n: i32, w00: f32, w01: f32, w10: f32, w11: f32): bool {
  const stride = <usize>mapWidth << 2
  const table = guide
  const v00 = f32x4.splat(w00)
  const v01 = f32x4.splat(w01)
  const v10 = f32x4.splat(w10)
  const v11 = f32x4.splat(w11)
  const scale = f32x4.splat(GUIDE_SCALE)
  const zero = i16x8.splat(0)
  let misses = zero
  let a = v128.load(lanes)
  let b = v128.load(lanes, 16)
  let c = v128.load(lanes, 32)
  let d = v128.load(lanes, 48)
  for (let i = 0; i < n; i += STEP) {
    // sfc32 in each lane (see sfc32.ts).
    const t = i32x4.add(i32x4.add(a, b), d)
    d = i32x4.add(d, i32x4.splat(1))
    a = v128.xor(b, i32x4.shr_u(b, 9))
    b = i32x4.add(c, i32x4.shl(c, 3))
    c = i32x4.add(v128.or(i32x4.shl(c, 21), i32x4.shr_u(c, 11)), t)
    const x = <usize>(x0 + i)
    const p = source + (<usize>i << 2)
    const s = weights + (<usize>i << 2)
    const low = f32x4.mul(blend(p, stride, v00, v01, v10, v11), v128.load(s))
    const high = f32x4.mul(blend(p + 16, stride, v00, v01, v10, v11), v128.load(s, 16))
    // Pixels i..i+3 take the draws' top halves, i+4..i+7 their bottom halves.
    const halfLow = i32x4.shr_u(t, 16)
    const halfHigh = v128.and(t, i32x4.splat(0xffff))
    const indexLow = guideIndices(low, halfLow, scale)
    const indexHigh = guideIndices(high, halfHigh, scale)
    // The eight guide bytes (count + 1, 0 = ambiguous) as u16 lanes.
    let g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexLow, 0), zero, 0)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexLow, 1), g, 2)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexLow, 2), g, 4)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexLow, 3), g, 6)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexHigh, 0), g, 8)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexHigh, 1), g, 10)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexHigh, 2), g, 12)
    g = v128.load8_lane(table + <usize>i32x4.extract_lane(indexHigh, 3), g, 14)
    v128.store(row + (x << 1), i16x8.sub(g, i16x8.splat(1)))
    v128.store(rowMeans + (x << 2), low)
    v128.store(rowMeans + (x << 2), high, 16)
    v128.store(rowHalves + (x << 1), i16x8.narrow_i32x4_u(halfLow, halfHigh))
    misses = v128.or(misses, i16x8.eq(g, zero))
  }
  v128.store(lanes, a)
  v128.store(lanes, b, 16)
  v128.store(lanes, c, 32)
  v128.store(lanes, d, 48)
  return v128.any_true(misses)
}

/** The ambiguous cells of countSegment's pixels, in pixel order: the exact inversion, 16 more bits each. */
function refineSegment(x0: i32, n: i32): void {
  for (let x = x0; x < x0 + n; x++) {
    const at = row + (<usize>x << 1)
    if (load<u16>(at) === 0xffff) store<u16>(at, refined(load<f32>(rowMeans + (<usize>x << 2)), load<u16>(rowHalves + (<usize>x << 1))))
  }
}

/** Expected counts of four neighbouring pixels: the bilinear blend of the source at `p`. */
function blend(p: usize, stride: usize, v00: v128, v01: v128, v10: v128, v11: v128): v128 {
  const top = f32x4.add(f32x4.mul(v00, v128.load(p)), f32x4.mul(v01, v128.load(p, 4)))
  const bottom = f32x4.add(f32x4.mul(v10, v128.load(p + stride)), f32x4.mul(v11, v128.load(p + stride, 4)))
  return f32x4.add(top, bottom)
}

/** guideIndex(guideRow(lambda), half) of four pixels. */
function guideIndices(lambda: v128, half: v128, scale: v128): v128 {
  const row = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(lambda, scale)), i32x4.splat(0)), i32x4.splat(GUIDE_ROWS))
  return v128.or(i32x4.shl(row, GUIDE_BITS), i32x4.shr_u(half, 16 - GUIDE_BITS))
}

/** The row's hot and dead pixels take their frame values (defects are in ascending pixel order). */
function applyDefects(y: i32): void {
  const first = <u32>y * <u32>width
  const end = first + <u32>width
  while (nextDefect < defectCount) {
    const i = load<u32>(defectIndex + (<usize>nextDefect << 2))
    if (i >= end) break
    store<u16>(row + (<usize>(i - first) << 1), <u16>load<u32>(defectValue + (<usize>nextDefect << 2)))
    nextDefect++
  }
}

/** Adds the row's `width` stored values to the statistics (exact: integer sums). */
function tallyRow(): void {
  let sums = i32x4.splat(0)
  let squares = i64x2.splat(0)
  let low = i16x8.splat(-1)
  let high = i16x8.splat(0)
  const whole = width & ~(STEP - 1)
  for (let x = 0; x < whole; x += STEP) {
    const v = v128.load(row + (<usize>x << 1))
    // Row sums fit 32 bits (width x 65535 / 4 per lane); squares go to 64-bit lanes.
    sums = i32x4.add(sums, i32x4.extadd_pairwise_i16x8_u(v))
    const sqLow = i32x4.extmul_low_i16x8_u(v, v)
    const sqHigh = i32x4.extmul_high_i16x8_u(v, v)
    squares = i64x2.add(squares, i64x2.add(i64x2.extend_low_i32x4_u(sqLow), i64x2.extend_high_i32x4_u(sqLow)))
    squares = i64x2.add(squares, i64x2.add(i64x2.extend_low_i32x4_u(sqHigh), i64x2.extend_high_i32x4_u(sqHigh)))
    low = i16x8.min_u(low, v)
    high = i16x8.max_u(high, v)
  }
  let sum = <u64>i32x4.extract_lane(sums, 0) + <u64>i32x4.extract_lane(sums, 1) + <u64>i32x4.extract_lane(sums, 2) + <u64>i32x4.extract_lane(sums, 3)
  let sumSquares = <u64>i64x2.extract_lane(squares, 0) + <u64>i64x2.extract_lane(squares, 1)
  let least = i16x8.extract_lane_u(across(low, true), 0)
  let most = i16x8.extract_lane_u(across(high, false), 0)
  for (let x = whole; x < width; x++) {
    const v = load<u16>(row + (<usize>x << 1))
    sum += <u64>v
    sumSquares += <u64>v * <u64>v
    least = min(least, v)
    most = max(most, v)
  }
  store<i64>(statistics, load<i64>(statistics) + <i64>sum)
  store<i64>(statistics, load<i64>(statistics, 8) + <i64>sumSquares, 8)
  store<i32>(statistics, min(load<i32>(statistics, 16), <i32>least), 16)
  store<i32>(statistics, max(load<i32>(statistics, 20), <i32>most), 20)
}

/** The min (or max) of eight u16 lanes, in lane 0: three halvings. */
function across(v: v128, least: bool): v128 {
  let w = i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)
  v = least ? i16x8.min_u(v, w) : i16x8.max_u(v, w)
  w = i8x16.shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11)
  v = least ? i16x8.min_u(v, w) : i16x8.max_u(v, w)
  w = i8x16.shuffle(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)
  return least ? i16x8.min_u(v, w) : i16x8.max_u(v, w)
}
