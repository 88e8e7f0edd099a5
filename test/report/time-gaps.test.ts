// A binned series is broken where acquisition paused, and only there.
import {describe, expect, it} from 'vitest'
import {breakAtGaps} from '../../report-site/src/lib/time-gaps.js'

const MIN = 60_000
const blank = (at: number) => ({at, v: NaN})
const bins = (starts: number[]) => starts.map((m) => ({at: m * MIN, v: m}))

describe('breakAtGaps', () => {
  it('breaks after a bin followed by a gap much wider than the usual step', () => {
    // Every minute, then a 40-minute pause (a grid swap), then every minute again.
    const out = breakAtGaps(bins([0, 1, 2, 3, 43, 44, 45]), MIN, blank)
    expect(out.map((b) => (Number.isNaN(b.v) ? 'gap' : b.v))).toEqual([0, 1, 2, 3, 'gap', 43, 44, 45])
    expect(out[4].at).toBe(4 * MIN)
  })

  it('keeps a steady but sparse session (a movie every few bins) one line', () => {
    const sparse = bins([0, 4, 8, 13, 17, 21, 26])
    expect(breakAtGaps(sparse, MIN, blank)).toEqual(sparse)
    expect(breakAtGaps(bins([0, 30]), MIN, blank)).toHaveLength(2)
  })
})
