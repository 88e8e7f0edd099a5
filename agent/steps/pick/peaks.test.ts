import {describe, expect, it} from 'vitest'
import type {LogResponse} from './log-filter.js'
import {findPeaks, inRangeStats, subPixel, type PeakOptions} from './peaks.js'

/**
 * A response map with Gaussian bumps of a given height and best-diameter index; the background
 * answers best to the smallest diameter (out of range), as noise does in a real LoG map.
 */
function bumps(width: number, height: number, list: {x: number; y: number; h: number; index: number}[], diameters: number[]): LogResponse {
  const fom = new Float32Array(width * height)
  const best = new Uint8Array(width * height)
  for (const b of list) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = b.h * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / 8)
        const p = y * width + x
        if (v > fom[p]) {
          fom[p] = v
          if (v > 0.01) best[p] = b.index
        }
      }
    }
  }
  return {fom, best, diameters}
}

const base: PeakOptions = {diameterMin: 100, diameterMax: 100, exclusionRadius: () => 10}
const allowAll = (n: number) => new Uint8Array(n).fill(1)

describe('findPeaks', () => {
  const diameters = [50, 100, 200]
  const w = 80
  const h = 60

  it('keeps the strongest first and suppresses weaker peaks inside the exclusion disk', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 5, index: 1}, {x: 26, y: 20, h: 4, index: 1}, {x: 60, y: 40, h: 3, index: 1}], diameters)
    const peaks = findPeaks(r, w, h, allowAll(w * h), base)
    expect(peaks.map((p) => [Math.round(p.x), Math.round(p.y)])).toEqual([[20, 20], [60, 40]])
    expect(peaks[0].score).toBeCloseTo(5)
    expect(peaks[0].diameter).toBe(100)
    // With a smaller exclusion the neighbour survives.
    expect(findPeaks(r, w, h, allowAll(w * h), {...base, exclusionRadius: () => 4})).toHaveLength(3)
  })

  it('ignores peaks whose best diameter is outside the range, and masked pixels', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 5, index: 0}, {x: 60, y: 20, h: 5, index: 2}, {x: 40, y: 40, h: 2, index: 1}], diameters)
    expect(findPeaks(r, w, h, allowAll(w * h), base).map((p) => Math.round(p.x))).toEqual([40])
    const mask = allowAll(w * h)
    for (let y = 30; y < 50; y++) mask.fill(0, y * w + 30, y * w + 50)
    expect(findPeaks(r, w, h, mask, base)).toHaveLength(0)
    expect(inRangeStats(r, mask, base).count).toBe(0)
  })

  it('takes the threshold statistics over allowed in-range pixels only', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 5, index: 0}, {x: 40, y: 40, h: 2, index: 1}], diameters)
    const s = inRangeStats(r, allowAll(w * h), base)
    let sum = 0
    let n = 0
    for (let p = 0; p < w * h; p++) if (r.best[p] === 1) {
      sum += r.fom[p]
      n++
    }
    expect(s.count).toBe(n)
    expect(s.mean).toBeCloseTo(sum / n, 5)
    expect(s.mean).toBeLessThan(2)
  })
})

describe('subPixel', () => {
  it('finds the vertex of a sampled parabola', () => {
    const w = 5
    const map = new Float32Array(25)
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) map[y * w + x] = 10 - (x - 2.3) ** 2 - (y - 1.8) ** 2
    const [x, y] = subPixel(map, w, 5, 2, 2)
    expect(x).toBeCloseTo(2.3, 5)
    expect(y).toBeCloseTo(1.8, 5)
  })
})
