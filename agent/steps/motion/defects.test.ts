import {describe, expect, it} from 'vitest'
import {badPixelList, DefectSyntaxError, markHotPixels, markRectangles, markWhere, parseDefectText, replaceBadPixels} from './defects.js'

describe('defect file', () => {
  it('parses "x y w h" lines with comments and blank lines', () => {
    expect(parseDefectText('# K3 defects\n10 0 1 4096\n\n0 20 5 2 # row\n')).toEqual([
      {x: 10, y: 0, w: 1, h: 4096},
      {x: 0, y: 20, w: 5, h: 2},
    ])
  })
  it('names the line that does not parse', () => {
    expect(() => parseDefectText('1 2 3 4\n1 2 three 4\n')).toThrow(DefectSyntaxError)
    expect(() => parseDefectText('1 2 3 4\n1 2 three 4\n')).toThrow(/line 2/)
  })
  it('marks rectangles clipped to the image', () => {
    const mask = new Uint8Array(4 * 3)
    markRectangles(mask, 4, 3, [{x: 3, y: -1, w: 5, h: 2}])
    expect(Array.from(mask)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
  })
  it('marks zeros of a gain and non-zeros of a defect map', () => {
    const mask = new Uint8Array(4)
    expect(markWhere(mask, Float32Array.from([1, 0, 2, 0]), true)).toBe(2)
    expect(markWhere(mask, Float32Array.from([1, 0, 0, 0]), false)).toBe(1)
    expect(Array.from(mask)).toEqual([1, 1, 0, 1])
  })
})

describe('hot pixels', () => {
  const w = 32
  const sum = Float32Array.from({length: w * w}, (_, i) => 100 + ((i * 7919) % 13) - 6)
  sum[5 * w + 9] = 5000
  sum[20 * w + 3] = 4000

  it('finds pixels above mean + 6 sigma of the unaligned sum', () => {
    const mask = new Uint8Array(w * w)
    const stats = markHotPixels(mask, sum, 6)
    expect(stats.count).toBe(2)
    expect(Array.from(badPixelList(mask))).toEqual([5 * w + 9, 20 * w + 3])
  })

  it('replaces a bad pixel by one of its good neighbours, never by another bad one', () => {
    const mask = new Uint8Array(w * w)
    markHotPixels(mask, sum, 6)
    const frame = sum.slice()
    replaceBadPixels(frame, w, w, mask, badPixelList(mask), 3, 100)
    const neighbours: number[] = []
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (dx || dy) neighbours.push(sum[(5 + dy) * w + 9 + dx])
    expect(neighbours).toContain(frame[5 * w + 9])
    expect(frame[20 * w + 3]).toBeLessThan(200)
  })

  it('falls back to the frame mean inside a large defect', () => {
    const mask = new Uint8Array(w * w)
    markRectangles(mask, w, w, [{x: 0, y: 0, w: 10, h: 10}])
    const frame = new Float32Array(w * w).fill(3)
    replaceBadPixels(frame, w, w, mask, badPixelList(mask), 0, 42)
    expect(frame[5 * w + 5]).toBe(42)
    expect(frame[0]).toBe(42)
  })
})
