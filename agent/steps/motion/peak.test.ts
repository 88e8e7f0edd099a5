import {describe, expect, it} from 'vitest'
import {findPeak, parabolaVertex} from './peak.js'

describe('sub-pixel peak', () => {
  it('puts the vertex of a sampled parabola exactly', () => {
    const p = (x: number) => 5 - 2 * (x - 0.3) ** 2
    expect(parabolaVertex(p(-1), p(0), p(1))).toBeCloseTo(0.3, 12)
  })
  it('returns 0 on a flat top', () => {
    expect(parabolaVertex(1, 1, 1)).toBe(0)
  })

  it('finds a wrapped (negative) shift within the search range', () => {
    const w = 32, h = 24
    const map = new Float32Array(w * h)
    const [cx, cy] = [-5.25, 3.4]
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dx = ((x + w / 2) % w) - w / 2 - cx
        const dy = ((y + h / 2) % h) - h / 2 - cy
        map[y * w + x] = Math.exp(-(dx * dx + dy * dy) / 8)
      }
    }
    const p = findPeak(map, w, h, 8)
    expect(Math.abs(p.x - cx)).toBeLessThan(0.1)
    expect(Math.abs(p.y - cy)).toBeLessThan(0.1)
    // Outside a 4 px search window the true peak is not seen.
    expect(Math.abs(findPeak(map, w, h, 3).x)).toBeLessThanOrEqual(3.5)
  })
})
