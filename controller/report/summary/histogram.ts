// Histograms the export counts (the site draws the counts, not the values): bins of a fixed
// width, widened while there would be more than a fixed most number of them.
import type {Histogram} from '../export-types.js'

/** Counts of `values` per bin of `step` (doubled until at most `maxBins` non-empty bins); `recent`: the newest values, counted again. */
export function histogram(values: number[], step: number, maxBins: number, recent: number[] = []): Histogram {
  const finite = values.filter(Number.isFinite)
  for (let width = step; ; width *= 2) {
    const bins = new Map<number, {x0: number; count: number; recent: number}>()
    const bin = (v: number) => {
      const x0 = Math.floor(v / width) * width
      let b = bins.get(x0)
      if (!b) bins.set(x0, (b = {x0: Number(x0.toPrecision(12)), count: 0, recent: 0}))
      return b
    }
    for (const v of finite) bin(v).count++
    if (bins.size > maxBins) continue
    for (const v of recent) if (Number.isFinite(v)) bin(v).recent++
    return {step: width, bins: [...bins.values()].sort((a, b) => a.x0 - b.x0), total: finite.length}
  }
}
