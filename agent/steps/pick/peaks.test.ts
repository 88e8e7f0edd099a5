import {describe, expect, it} from 'vitest'
import type {LogResponse} from './log-filter.js'
import {findPeaks, subPixel, type PeakOptions} from './peaks.js'

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

const base: PeakOptions = {diameterMin: 100, diameterMax: 100, thresholdAdjust: 0, upperThreshold: null, exclusionRadius: () => 10, maxPicks: null}
const allowAll = (n: number) => new Uint8Array(n).fill(1)

describe('findPeaks', () => {
  const diameters = [50, 100, 200]
  const w = 80
  const h = 60

  it('picks the strongest first and suppresses weaker peaks inside the exclusion disk', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 5, index: 1}, {x: 26, y: 20, h: 4, index: 1}, {x: 60, y: 40, h: 3, index: 1}], diameters)
    const s = findPeaks(r, w, h, allowAll(w * h), base)
    expect(s.peaks.map((p) => [Math.round(p.x), Math.round(p.y)])).toEqual([[20, 20], [60, 40]])
    expect(s.peaks[0].score).toBeGreaterThan(s.peaks[1].score)
    expect(s.peaks[0].diameter).toBe(100)
    // With a smaller exclusion the neighbour survives.
    const close = findPeaks(r, w, h, allowAll(w * h), {...base, exclusionRadius: () => 4})
    expect(close.peaks).toHaveLength(3)
  })

  it('ignores peaks whose best diameter is outside the range, and masked pixels', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 5, index: 0}, {x: 60, y: 20, h: 5, index: 2}, {x: 40, y: 40, h: 2, index: 1}], diameters)
    expect(findPeaks(r, w, h, allowAll(w * h), base).peaks.map((p) => Math.round(p.x))).toEqual([40])
    const mask = allowAll(w * h)
    for (let y = 30; y < 50; y++) mask.fill(0, y * w + 30, y * w + 50)
    expect(findPeaks(r, w, h, mask, base).peaks).toHaveLength(0)
  })

  it('raises the threshold with thresholdAdjust and drops picks above the upper threshold', () => {
    const list = Array.from({length: 12}, (_, i) => ({x: 8 + (i % 4) * 20, y: 10 + Math.floor(i / 4) * 20, h: 1 + i, index: 1}))
    const r = bumps(w, h, list, diameters)
    const searches = [-0.5, 0, 1, 2].map((k) => findPeaks(r, w, h, allowAll(w * h), {...base, thresholdAdjust: k}))
    const counts = searches.map((s) => s.peaks.length)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1])
    expect(counts[3]).toBeLessThan(counts[0])
    for (const s of searches) for (const p of s.peaks) expect(p.score).toBeGreaterThanOrEqual(s.threshold)
    const capped = findPeaks(r, w, h, allowAll(w * h), {...base, upperThreshold: 3})
    expect(capped.peaks.length).toBeLessThan(12)
    expect(Math.max(...capped.peaks.map((p) => p.score))).toBeLessThanOrEqual(capped.mean + 3 * capped.sigma)
  })

  it('stops at maxPicks, keeping the best', () => {
    const r = bumps(w, h, [{x: 20, y: 20, h: 2, index: 1}, {x: 60, y: 40, h: 3, index: 1}], diameters)
    const s = findPeaks(r, w, h, allowAll(w * h), {...base, maxPicks: 1})
    expect(s.peaks.map((p) => Math.round(p.x))).toEqual([60])
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
