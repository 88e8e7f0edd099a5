// Frame grouping for low-dose frames, as RELION's own implementation: n / size groups; the
// remainder is spread over the last groups, never the first (where motion is fastest).

export interface FrameGroup {
  /** Index of the first frame in the group (0-based, among the used frames). */
  start: number
  size: number
}

export function frameGroups(frames: number, size: number): FrameGroup[] {
  const n = Math.floor(frames / size)
  const sizes = new Array<number>(n).fill(size)
  let remaining = frames - n * size
  while (remaining > 0 && n > 1) {
    for (let i = n - 1; i >= 1 && remaining > 0; i--, remaining--) sizes[i]++
  }
  if (n === 1) sizes[0] += remaining
  const groups: FrameGroup[] = []
  let start = 0
  for (const s of sizes) {
    groups.push({start, size: s})
    start += s
  }
  return groups
}

/**
 * Per-frame shifts from per-group shifts: linear through the group centres, extrapolated at
 * both ends, then re-referenced so that frame 0 is (0, 0).
 */
export function interpolateGroupShifts(groups: FrameGroup[], shifts: [number, number][], frames: number): [number, number][] {
  if (groups.length === 1) return Array.from({length: frames}, () => [0, 0] as [number, number])
  const centres = groups.map(groupCentre)
  const out: [number, number][] = []
  let g = 0
  for (let f = 0; f < frames; f++) {
    while (g < groups.length - 2 && f >= centres[g + 1]) g++
    const t = (f - centres[g]) / (centres[g + 1] - centres[g])
    out.push([shifts[g][0] + t * (shifts[g + 1][0] - shifts[g][0]), shifts[g][1] + t * (shifts[g + 1][1] - shifts[g][1])])
  }
  const [x0, y0] = out[0]
  return out.map(([x, y]) => [x - x0, y - y0])
}

/**
 * Mean frame index of a group: a group sum's shift is its frames' average position. (RELION
 * uses start + size / 2, half a frame late for single frames.)
 */
export function groupCentre(g: FrameGroup): number {
  return g.start + (g.size - 1) / 2
}
