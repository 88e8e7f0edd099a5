// Drift trajectory for plots: where the specimen went, frame by frame (px, frame 1 at the
// origin). The motion step records the shifts it applied, which are minus the specimen motion.

export function driftTrajectory(appliedShifts: [number, number][]): [number, number][] {
  if (appliedShifts.length === 0) return []
  const [x0, y0] = appliedShifts[0]
  return appliedShifts.map(([x, y]) => [x0 - x, y0 - y])
}
