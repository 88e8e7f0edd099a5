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

/** Bin stats already made, by series, bin width and bin: remade only when the items in the bin change. */
export type BinCache = Map<string, {items: readonly object[]; stats: BinStats | null}>

export interface SeriesOf<T> {
  name: string
  at: (item: T) => number
  /** null: the item has no value in this series. */
  value: (item: T) => number | null
  label: (item: T) => string
}

/**
 * `items` (in time order) binned by `binMs` (empty bins left out) with the newest `recent` values
 * kept whole. A bin's stats are reused from `cache` while it holds the same item objects, so a
 * caller that keeps unchanged items pays per changed bin, not per item; `used` collects the keys.
 */
export function binnedSeries<T extends object>(series: SeriesOf<T>, items: readonly T[], binMs: number, recent: number, cache: BinCache, used: Set<string>): TimeSeries {
  const bins: BinStats[] = []
  for (let start = 0; start < items.length; ) {
    const at = Math.floor(series.at(items[start]) / binMs) * binMs
    let end = start + 1
    while (end < items.length && series.at(items[end]) < at + binMs) end++
    const key = `${series.name}\0${binMs}\0${at}`
    used.add(key)
    const group = items.slice(start, end)
    let known = cache.get(key)
    if (!known || known.items.length !== group.length || known.items.some((item, i) => item !== group[i])) {
      const values = group.map(series.value).filter((v): v is number => v !== null && Number.isFinite(v))
      cache.set(key, (known = {items: group, stats: values.length > 0 ? stats(at, values) : null}))
    }
    if (known.stats) bins.push(known.stats)
    start = end
  }
  const newest: RecentPoint[] = []
  for (let i = items.length - 1; i >= 0 && newest.length < recent; i--) {
    const value = series.value(items[i])
    if (value !== null && Number.isFinite(value)) newest.push({at: series.at(items[i]), value: significant(value), name: series.label(items[i])})
  }
  return {name: series.name, bins, recent: newest.reverse()}
}

/** Forgets the bins not used by the last summaries (bins of an old width, removed items). */
export function pruneBinCache(cache: BinCache, used: Set<string>): void {
  for (const key of cache.keys()) if (!used.has(key)) cache.delete(key)
}
