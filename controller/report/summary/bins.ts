// Time bins for the charts over a whole session: a fixed most number of bins whatever its
// length, each summarised by its quartiles, so a chart's size does not grow with the session.
import type {BinStats, RecentPoint, TimeSeries} from '../export-types.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
/** Bin widths a reader can read off a time axis. */
const WIDTHS = [1, 2, 5, 10, 15, 30].map((s) => s * SECOND).concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE), [1, 2, 3, 6, 12, 24].map((h) => h * HOUR))

/** The narrowest readable bin width that covers [start, end] in at most `maxBins` bins (epoch-aligned). */
export function binWidth(start: number, end: number, maxBins: number): number {
  for (const width of WIDTHS) if (Math.floor(end / width) - Math.floor(start / width) + 1 <= maxBins) return width
  const days = Math.ceil((end - start) / (maxBins * 24 * HOUR)) + 1
  return days * 24 * HOUR
}

/** q in [0, 1] of ascending `sorted` (linear between neighbours). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
}

/** Five significant digits: finer than any chart shows, and a third of the JSON of full doubles. */
export const significant = (x: number): number => Number(x.toPrecision(5))

export function stats(at: number, values: number[]): BinStats {
  const sorted = Float64Array.from(values).sort()
  const q = (p: number) => significant(quantile(sorted, p))
  return {at, count: sorted.length, min: q(0), q1: q(0.25), median: q(0.5), q3: q(0.75), max: q(1)}
}

/** One time-stamped value of a series. */
export interface Sample {
  at: number
  value: number
  name: string
}

/** Samples binned by `binMs` (empty bins left out, in time order) with the newest `recent` kept whole. */
export function timeSeries(name: string, samples: Sample[], binMs: number, recent: number): TimeSeries {
  const groups = new Map<number, number[]>()
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue
    const at = Math.floor(s.at / binMs) * binMs
    let group = groups.get(at)
    if (!group) groups.set(at, (group = []))
    group.push(s.value)
  }
  const bins = [...groups].sort((a, b) => a[0] - b[0]).map(([at, values]) => stats(at, values))
  const newest: RecentPoint[] = samples.filter((s) => Number.isFinite(s.value)).slice(-recent).map(({at, value, name: n}) => ({at, value: significant(value), name: n}))
  return {name, bins, recent: newest}
}
