// Intensity statistics and normalisation of the picker's input, as RELION's LoG picker does:
// outliers (hot pixels, dead areas) replaced by the mean, then zero mean, unit sigma, with the
// sign flipped so that particles (dark under underfocus) give positive responses.

export interface IntensityStats {
  mean: number
  sd: number
}

/** Mean and standard deviation (one pass in float64) of every `stride`-th value. */
export function intensityStats(data: Float32Array, stride = 1): IntensityStats {
  let sum = 0
  let sum2 = 0
  let n = 0
  for (let i = 0; i < data.length; i += stride, n++) {
    const v = data[i]
    sum += v
    sum2 += v * v
  }
  n = Math.max(1, n)
  const mean = sum / n
  return {mean, sd: Math.sqrt(Math.max(0, sum2 / n - mean * mean))}
}

/** The accepted intensity window [low, high] = mean -/+ z sigma (no clamp for a flat image). */
export function outlierWindow(stats: IntensityStats, z: number): {low: number; high: number} {
  if (!(stats.sd > 0)) return {low: -Infinity, high: Infinity}
  return {low: stats.mean - z * stats.sd, high: stats.mean + z * stats.sd}
}

/**
 * In place: zero mean, unit sigma; multiplied by -1 unless `particlesBright`, so that the
 * particles always come out positive.
 */
export function standardise(data: Float32Array, particlesBright: boolean): IntensityStats {
  const stats = intensityStats(data)
  const scale = (particlesBright ? 1 : -1) / (stats.sd > 0 ? stats.sd : 1)
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - stats.mean) * scale
  return stats
}
