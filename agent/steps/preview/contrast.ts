// Contrast stretching for 8-bit previews: a percentile window (robust to hot pixels and
// contamination) mapped linearly to 0..255.

/** Values at the low / high percentiles (0..100) of every `stride`-th finite value. */
export function percentileWindow(data: Float32Array, lowPercentile: number, highPercentile: number, stride = 1): {low: number; high: number} {
  const sample: number[] = []
  for (let i = 0; i < data.length; i += stride) if (Number.isFinite(data[i])) sample.push(data[i])
  if (sample.length === 0) return {low: 0, high: 1}
  const sorted = Float64Array.from(sample).sort()
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))]
  return {low: at(lowPercentile), high: at(highPercentile)}
}

/** Linear map of [low, high] to 0..255, clamped; a flat window maps everything to mid-grey. */
export function toGray8(data: Float32Array, low: number, high: number): Uint8Array {
  const out = new Uint8Array(data.length)
  const span = high - low
  if (!(span > 0)) return out.fill(128)
  const scale = 255 / span
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] - low) * scale
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v)
  }
  return out
}
