// Scores picks against true particle positions: one-to-one matching, closest pairs first,
// within a match radius (0.25 x diameter in the acceptance criterion). Used by tests and benches.

export interface PickScore {
  truePositives: number
  falsePositives: number
  falseNegatives: number
  precision: number
  recall: number
  f1: number
  /** Mean distance of the matched pairs (px). */
  meanError: number
}

export function scorePicks(picks: [number, number][], truth: [number, number][], matchRadius: number): PickScore {
  const r2 = matchRadius * matchRadius
  const cell = Math.max(matchRadius, 1e-9)
  const grid = new Map<string, number[]>()
  truth.forEach(([x, y], t) => {
    const key = `${Math.floor(x / cell)},${Math.floor(y / cell)}`
    const list = grid.get(key)
    if (list) list.push(t)
    else grid.set(key, [t])
  })
  const pairs: {d2: number; p: number; t: number}[] = []
  picks.forEach(([x, y], p) => {
    const cx = Math.floor(x / cell)
    const cy = Math.floor(y / cell)
    for (let gy = cy - 1; gy <= cy + 1; gy++) {
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (const t of grid.get(`${gx},${gy}`) ?? []) {
          const dx = truth[t][0] - x
          const dy = truth[t][1] - y
          const d2 = dx * dx + dy * dy
          if (d2 <= r2) pairs.push({d2, p, t})
        }
      }
    }
  })
  pairs.sort((a, b) => a.d2 - b.d2)
  const pickUsed = new Uint8Array(picks.length)
  const truthUsed = new Uint8Array(truth.length)
  let tp = 0
  let errorSum = 0
  for (const {d2, p, t} of pairs) {
    if (pickUsed[p] || truthUsed[t]) continue
    pickUsed[p] = 1
    truthUsed[t] = 1
    tp++
    errorSum += Math.sqrt(d2)
  }
  const fp = picks.length - tp
  const fn = truth.length - tp
  const precision = picks.length ? tp / picks.length : 0
  const recall = truth.length ? tp / truth.length : 0
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return {truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1, meanError: tp ? errorSum / tp : 0}
}
