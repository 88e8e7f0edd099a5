// Dose weighting after Grant & Grigorieff (2015, eLife 4:e06980), as RELION implements it:
// critical exposure Ne(s) = 0.245 s^-1.665 + 2.81 (s in 1/A, 300 kV), frame weight
// exp(-N / (2 Ne)) with N the dose at the END of the frame, weights normalised per
// frequency so that sum w^2 = 1.

const A = 0.245
const B = -1.665
const C = 2.81

/** Critical exposure (e/A^2) at spatial frequency s (1/A) for 300 kV electrons. */
export function criticalExposure(s: number): number {
  return A * Math.pow(s, B) + C
}

/** Lower-voltage electrons damage more: RELION scales the dose by 1/0.8 (200 kV), 1/0.64 (100 kV). */
export function voltageDoseFactor(voltageKv: number): number {
  if (Math.abs(voltageKv - 300) <= 2) return 1
  if (Math.abs(voltageKv - 200) <= 2) return 1 / 0.8
  if (Math.abs(voltageKv - 100) <= 2) return 1 / 0.64
  throw new RangeError(`dose weighting supports 100, 200 or 300 kV, got ${voltageKv}`)
}

/**
 * 300 kV-equivalent dose at the end of each used frame. `frameNumbers` are 1-based movie frame
 * numbers, so dropping early frames keeps the dose they delivered.
 */
export function framesEndDose(frameNumbers: number[], dosePerFrame: number, preExposure: number, voltageKv: number): number[] {
  const f = voltageDoseFactor(voltageKv)
  return frameNumbers.map((n) => (preExposure + dosePerFrame * n) * f)
}

/** Normalised weights of every frame at frequency s (1/A); written into out. */
export function doseWeightsAt(s: number, doses: number[], out: Float64Array): void {
  const ne2 = 2 * criticalExposure(s) // s = 0 gives Infinity: every weight 1
  let sum2 = 0
  for (let f = 0; f < doses.length; f++) {
    const w = Math.exp(-doses[f] / ne2)
    out[f] = w
    sum2 += w * w
  }
  const norm = 1 / Math.sqrt(sum2)
  for (let f = 0; f < doses.length; f++) out[f] *= norm
}

/**
 * Weights tabulated on a fine grid of |s| (cycles per pixel), one run of bins per frame:
 * weights[f * bins + b] (a frame's lookups along a spectrum row stay in a few cache lines).
 * The weights vary slowly with s, so a lookup at 1/8 of a Fourier pixel is exact to ~1e-5
 * and saves an exp() per pixel and frame.
 */
export interface DoseWeightTable {
  /** Bin width in cycles per pixel. */
  step: number
  frames: number
  bins: number
  weights: Float32Array
}

export function doseWeightTable(width: number, height: number, pixelSize: number, doses: number[]): DoseWeightTable {
  const step = 1 / (8 * Math.max(width, height))
  const bins = Math.ceil(Math.SQRT1_2 / step) + 2
  const n = doses.length
  const weights = new Float32Array(bins * n)
  const row = new Float64Array(n)
  for (let b = 0; b < bins; b++) {
    doseWeightsAt((b * step) / pixelSize, doses, row)
    for (let f = 0; f < n; f++) weights[f * bins + b] = row[f]
  }
  return {step, frames: n, bins, weights}
}

/** Table bin of spatial frequency (kx, ky) in cycles per image for a width x height image. */
export function tableBin(table: DoseWeightTable, kx: number, ky: number, width: number, height: number): number {
  const s = Math.sqrt((kx / width) ** 2 + (ky / height) ** 2)
  return Math.round(s / table.step)
}
