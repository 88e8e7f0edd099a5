import {describe, expect, it} from 'vitest'
import {realFft2D} from '../../../core/numeric/fft.js'
import {multiScaleLog, searchDiameters} from './log-filter.js'
import {addSphere} from './synthetic-blobs.js'

describe('searchDiameters', () => {
  it('spans the range in even steps and adds the out-of-range ones, ascending', () => {
    expect(searchDiameters(100, 200, 3, [0.5], [2])).toEqual([50, 100, 150, 200, 400])
    expect(searchDiameters(120, 120, 1, [], [])).toEqual([120])
  })
})

describe('multiScaleLog', () => {
  it('peaks at each sphere centre with the diameter closest to its own', () => {
    const n = 160
    const data = new Float32Array(n * n)
    addSphere(data, n, n, 40.3, 50, 8, 1) // diameter 16 px
    addSphere(data, n, n, 110, 100.6, 16, 1) // diameter 32 px
    const pixelSize = 2.5 // A, so the diameters are 40 A and 80 A
    const spectrum = realFft2D(n, n).forward(data)
    const diameters = [20, 30, 40, 50, 60, 70, 80, 100, 120]
    const maps = multiScaleLog(spectrum, n, n, pixelSize, pixelSize, diameters)
    const r = maps.target
    const argmaxNear = (cx: number, cy: number) => {
      let best = -1
      for (let y = cy - 6; y <= cy + 6; y++) for (let x = cx - 6; x <= cx + 6; x++) if (best < 0 || r.fom[y * n + x] > r.fom[best]) best = y * n + x
      return best
    }
    const a = argmaxNear(40, 50)
    const b = argmaxNear(110, 101)
    expect([a % n, Math.floor(a / n)]).toEqual([40, 50])
    expect([b % n, Math.floor(b / n)]).toEqual([110, 101])
    expect(diameters[r.best[a]]).toBe(40)
    expect(diameters[r.best[b]]).toBe(80)
    // Scale normalisation: both spheres have unit peak contrast and give about the same response.
    expect(r.fom[a] / r.fom[b]).toBeGreaterThan(0.9)
    expect(r.fom[a] / r.fom[b]).toBeLessThan(1.1)
    // The decoy map sees the spheres as holes: its response at their centres is negative.
    expect(maps.decoy.fom[a]).toBeCloseTo(-Math.min(...diameters.map((_, i) => multiScaleLog(spectrum, n, n, pixelSize, pixelSize, [diameters[i]]).target.fom[a])), 4)
    expect(maps.decoy.fom[a]).toBeLessThan(0)
  })

  it('honours different pixel sizes per axis (physical frequencies)', () => {
    const w = 128
    const h = 96
    const data = new Float32Array(w * h)
    // A sphere of 60 A: 20 px wide at 3 A/px in x, 15 px tall at 4 A/px in y -> an ellipse in pixels.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r2 = ((x - 64) / 10) ** 2 + ((y - 48) / 7.5) ** 2
        if (r2 < 1) data[y * w + x] = Math.sqrt(1 - r2)
      }
    }
    const r = multiScaleLog(realFft2D(w, h).forward(data), w, h, 3, 4, [40, 50, 60, 70, 80]).target
    expect(r.diameters[r.best[48 * w + 64]]).toBe(60)
  })
})
