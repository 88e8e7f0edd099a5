// RELION's accumulated motion (MotioncorrRunner::generateLogFilePDFAndWriteStarFiles): sum of
// frame-to-frame displacements of the global trajectory; a step into frame i (1-based, i >= 2)
// counts as "early" while i <= (cutoff - preExposure) / dosePerFrame, cutoff 4 e/A^2.

export interface AccumulatedMotion {
  total: number
  early: number
  late: number
}

export const EARLY_DOSE_CUTOFF = 4

/** shifts: per used frame (px); frameNumbers: their 1-based numbers in the movie. */
export function accumulatedMotion(
  shifts: [number, number][],
  frameNumbers: number[],
  dosePerFrame: number,
  preExposure: number,
  cutoff = EARLY_DOSE_CUTOFF,
): AccumulatedMotion {
  const cutoffFrame = (cutoff - preExposure) / dosePerFrame
  let total = 0
  let early = 0
  let late = 0
  for (let i = 1; i < shifts.length; i++) {
    const d = Math.hypot(shifts[i][0] - shifts[i - 1][0], shifts[i][1] - shifts[i - 1][1])
    total += d
    if (frameNumbers[i] <= cutoffFrame) early += d
    else late += d
  }
  return {total, early, late}
}
