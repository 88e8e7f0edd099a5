// The picking threshold. RELION's LoG picker uses mean + k sigma of the in-range responses,
// which lets through many noise peaks when particles are small or sparse. The automatic
// threshold controls the false-discovery rate instead, target-decoy style: the same search run
// on the negated image finds blobs of the opposite contrast, which only noise (and artefacts)
// make, so the number of decoy peaks above a threshold estimates the false picks above it.

export interface ThresholdOptions {
  /** Largest estimated fraction of false picks; null = RELION's rule (mean + k sigma) alone. */
  falseDiscoveryRate: number | null
  /** Added in units of sigma to the threshold (positive = fewer picks). */
  thresholdAdjust: number
}

export interface ThresholdChoice {
  threshold: number
  /** The false-discovery estimate among the picks kept (decoys / targets above the threshold). */
  estimatedFdr: number
}

/**
 * `targets`, `decoys`: scores of the peaks that survived suppression in each map.
 * The base is the lowest target score at which the estimated FDR is within the rate, never
 * below the in-range mean; then the adjustment is added.
 */
export function chooseThreshold(targets: number[], decoys: number[], stats: {mean: number; sigma: number}, opts: ThresholdOptions): ThresholdChoice {
  const t = [...targets].sort((a, b) => b - a)
  const d = [...decoys].sort((a, b) => b - a)
  let base = stats.mean
  if (opts.falseDiscoveryRate !== null) base = Math.max(base, fdrThreshold(t, d, opts.falseDiscoveryRate))
  const threshold = base + opts.thresholdAdjust * stats.sigma
  return {threshold, estimatedFdr: fdrAt(t, d, threshold)}
}

/**
 * Lowest score in `targets` (descending) at which decoys / targets above it is within the
 * rate (so every pick kept has a q-value within it); +Infinity when there is none.
 */
function fdrThreshold(targets: number[], decoys: number[], rate: number): number {
  let j = decoys.length
  for (let i = targets.length - 1; i >= 0; i--) {
    const s = targets[i]
    while (j > 0 && decoys[j - 1] < s) j--
    if (j / (i + 1) <= rate) return s
  }
  return Infinity
}

function fdrAt(targets: number[], decoys: number[], threshold: number): number {
  const nt = targets.filter((s) => s >= threshold).length
  const nd = decoys.filter((s) => s >= threshold).length
  return nt ? nd / nt : 0
}
