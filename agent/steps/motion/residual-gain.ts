// Residual gain of a movie: how far the gain-corrected frame sum is from flat in the column and
// row structure that camera gains have (a stale, wrong or missing gain leaves it). Column and row
// means average thousands of pixels, so shot noise hardly counts even for one movie; dividing
// by a running mean removes illumination and ice gradients. The statistics are Scipion's.
import type {GainResidual} from '../../../core/results/index.js'

/** Half-width (px) of the running mean the column/row profile is compared with. */
const TREND_RADIUS = 16
/** Percentiles are taken over at most this many grid samples per axis. */
const SAMPLES_PER_AXIS = 512

/**
 * sum: gain-corrected sum of the movie's frames (row-major); bad: 1 for defect / hot pixels,
 * left out of the means. Residual gain at (x, y) = column factor(x) * row factor(y).
 */
export function residualGain(sum: Float32Array, width: number, height: number, bad?: Uint8Array): GainResidual {
  const columns = new Float64Array(width)
  const columnCount = new Float64Array(width)
  const rows = new Float64Array(height)
  const rowCount = new Float64Array(height)
  for (let y = 0; y < height; y++) {
    const offset = y * width
    for (let x = 0; x < width; x++) {
      if (bad?.[offset + x]) continue
      const v = sum[offset + x]
      columns[x] += v
      columnCount[x]++
      rows[y] += v
      rowCount[y]++
    }
  }
  const c = relativeProfile(columns, columnCount)
  const r = relativeProfile(rows, rowCount)
  return statistics(c, r)
}

/** Means divided by their running mean; 1 where a line had no good pixels. */
function relativeProfile(totals: Float64Array, counts: Float64Array): Float64Array {
  const n = totals.length
  const means = totals.map((t, i) => (counts[i] > 0 ? t / counts[i] : NaN))
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    let k = 0
    for (let j = Math.max(0, i - TREND_RADIUS); j <= Math.min(n - 1, i + TREND_RADIUS); j++) {
      if (!Number.isNaN(means[j])) {
        s += means[j]
        k++
      }
    }
    const trend = k > 0 ? s / k : NaN
    out[i] = Number.isNaN(means[i]) || !(trend > 0) ? 1 : means[i] / trend
  }
  return out
}

function statistics(c: Float64Array, r: Float64Array): GainResidual {
  // The residual is separable, so the mean and variance of c(x) r(y) over the grid are exact from the profiles.
  const m = (a: Float64Array, f: (v: number) => number) => a.reduce((s, v) => s + f(v), 0) / a.length
  const mean = m(c, (v) => v) * m(r, (v) => v)
  const meanSquare = m(c, (v) => v * v) * m(r, (v) => v * v)
  const std = Math.sqrt(Math.max(0, meanSquare - mean * mean))
  const products = sampledProducts(c, r)
  const p025 = percentile(products, 0.025)
  const p975 = percentile(products, 0.975)
  const max = Math.max(...c) * Math.max(...r)
  return {std, percentileRatio: p975 / p025, peakRatio: max / p975}
}

function sampledProducts(c: Float64Array, r: Float64Array): Float64Array {
  const cs = strided(c)
  const rs = strided(r)
  const out = new Float64Array(cs.length * rs.length)
  let k = 0
  for (const rv of rs) for (const cv of cs) out[k++] = rv * cv
  return out.sort()
}

function strided(a: Float64Array): Float64Array {
  const step = Math.max(1, Math.ceil(a.length / SAMPLES_PER_AXIS))
  return a.filter((_, i) => i % step === 0)
}

/** Linear interpolation between order statistics of a sorted array. */
function percentile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo)
}
