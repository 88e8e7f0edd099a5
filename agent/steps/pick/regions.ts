// Two-class split of the low-pass map, for micrographs that hold two kinds of area (a hole and
// the carbon around it): Otsu's threshold, accepted only when the classes are cleanly
// separated (Ashman's D; a unimodal map, even a linear thickness gradient, stays below 3.5).
// Each area then gets its own threshold: carbon texture makes many decoys, so false-discovery
// control there is strict, while the ice keeps its own, lower threshold.

export interface TwoClassSplit {
  threshold: number
  /** Ashman's D: |mean1 - mean2| / sqrt((var1 + var2) / 2). */
  separation: number
}

const BINS = 256

/** Otsu's split of every `stride`-th value. */
export function splitTwoClasses(values: Float32Array, stride = 1): TwoClassSplit {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i += stride) {
    min = Math.min(min, values[i])
    max = Math.max(max, values[i])
  }
  if (!(max > min)) return {threshold: max, separation: 0}
  const width = (max - min) / BINS
  const count = new Float64Array(BINS)
  const sum = new Float64Array(BINS)
  const sum2 = new Float64Array(BINS)
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i]
    const b = Math.min(BINS - 1, Math.floor((v - min) / width))
    count[b]++
    sum[b] += v
    sum2[b] += v * v
  }
  const total = count.reduce((a, b) => a + b, 0)
  const totalSum = sum.reduce((a, b) => a + b, 0)
  let n1 = 0
  let s1 = 0
  let bestBetween = -1
  let bestBin = 0
  let bestEnd = 0
  for (let b = 0; b < BINS - 1; b++) {
    n1 += count[b]
    s1 += sum[b]
    const n2 = total - n1
    if (n1 === 0 || n2 === 0) continue
    const between = n1 * n2 * (s1 / n1 - (totalSum - s1) / n2) ** 2
    if (between > bestBetween * (1 + 1e-12)) {
      bestBetween = between
      bestBin = b
      bestEnd = b
    } else if (between >= bestBetween * (1 - 1e-12)) {
      bestEnd = b // empty bins between the classes tie: the split goes to the middle of the gap
    }
  }
  const moments = (from: number, to: number) => {
    let n = 0
    let s = 0
    let s2 = 0
    for (let b = from; b < to; b++) {
      n += count[b]
      s += sum[b]
      s2 += sum2[b]
    }
    const mean = s / n
    return {mean, variance: Math.max(0, s2 / n - mean * mean)}
  }
  const low = moments(0, bestBin + 1)
  const high = moments(bestBin + 1, BINS)
  const spread = Math.sqrt((low.variance + high.variance) / 2)
  return {threshold: min + ((bestBin + bestEnd) / 2 + 1) * width, separation: spread > 0 ? Math.abs(high.mean - low.mean) / spread : Infinity}
}
