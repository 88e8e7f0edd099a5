// Where a binned series over time should not be joined: a pause in acquisition (a grid swap, a
// stage move) leaves empty bins, and a line or band drawn straight across it would show values
// nobody measured. A gap counts when it is much wider than the series' usual step between bins,
// so a slow but steady session (a movie every few bins) stays one line.

/** A gap wider than this many usual steps breaks the line. */
const GAP_STEPS = 5

/**
 * The bins in order with a break (a point whose values are NaN, which Plot does not join)
 * after every bin followed by an unusually wide gap. `at` is each bin's start (ms).
 */
export function breakAtGaps<T extends {at: number}>(bins: readonly T[], binMs: number, blank: (at: number) => T): T[] {
  if (bins.length < 3) return [...bins]
  const steps = bins.slice(1).map((b, i) => b.at - bins[i].at).sort((a, b) => a - b)
  const usual = Math.max(binMs, steps[Math.floor(steps.length / 2)])
  const out: T[] = [bins[0]]
  for (let i = 1; i < bins.length; i++) {
    if (bins[i].at - bins[i - 1].at > GAP_STEPS * usual) out.push(blank(bins[i - 1].at + binMs))
    out.push(bins[i])
  }
  return out
}
