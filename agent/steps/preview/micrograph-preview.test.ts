import {describe, expect, it} from 'vitest'
import {createImage} from '../../../core/numeric/image.js'
import {blockAverage, previewBin, renderMicrographPreview} from './micrograph-preview.js'

describe('micrograph preview', () => {
  const w = 600
  const h = 400
  const data = new Float32Array(w * h)
  for (let i = 0; i < data.length; i++) data[i] = 100 + ((i * 7919) % 13) - 6
  // A dark disk of radius 40 px at (300, 200).
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - 300) ** 2 + (y - 200) ** 2 < 1600) data[y * w + x] -= 30
  const image = createImage(w, h, data)
  const opts = {maxWidth: 256, lowPercentile: 1, highPercentile: 99}

  it('bins to at most the preview width and keeps dark things dark', () => {
    expect(previewBin(600, 256)).toBe(3)
    const r = renderMicrographPreview(image, opts)
    expect([r.width, r.height, r.channels]).toEqual([200, 133, 1])
    const at = (x: number, y: number) => r.data[y * r.width + x]
    expect(at(100, 66)).toBeLessThan(30)
    expect(at(20, 20)).toBeGreaterThan(100)
  })

  it('block-averages exactly', () => {
    const small = blockAverage(createImage(4, 2, Float32Array.from([1, 3, 5, 7, 1, 3, 5, 7])), 2)
    expect([...small.data]).toEqual([2, 6])
  })

  it('draws the picks as rings where they are', () => {
    const r = renderMicrographPreview(image, opts, {coordinates: [[301, 201]], diameters: [120]})
    expect(r.channels).toBe(3)
    // Ring of radius 20 preview px around (100, 66.7): green on the ring, not in the middle.
    const px = (x: number, y: number) => [...r.data.subarray(3 * (y * r.width + x), 3 * (y * r.width + x) + 3)]
    expect(px(120, 67)).toEqual([60, 220, 90])
    expect(px(100, 67)[1]).not.toBe(220)
  })
})
