import {describe, expect, it} from 'vitest'
import {createImage} from '../../../core/numeric/image.js'
import {binClamped, fourierResample, planWorkingGeometry} from './downsample.js'
import {intensityStats, standardise} from './normalise.js'
import {addSphere} from './synthetic-blobs.js'

describe('working geometry', () => {
  it('bins by an integer, pads to fast FFT sizes and records where the micrograph ends', () => {
    const {bin, binnedWidth, binnedHeight, geometry: g} = planWorkingGeometry(5760, 4092, 0.83, 7.5)
    expect(bin).toBe(6)
    expect(binnedWidth % 32).toBe(0)
    expect(binnedHeight % 32).toBe(0)
    expect(binnedWidth).toBeGreaterThanOrEqual(5760 / 6)
    expect(g.width % 32).toBe(0)
    // Working pixel about the target, and the micrograph's extent inside the padded grid.
    expect(g.pixelSizeX).toBeGreaterThan(6.5)
    expect(g.pixelSizeX).toBeLessThanOrEqual(7.5)
    expect(g.validWidth * g.scaleX).toBeCloseTo(5760, -1)
    expect(g.validHeight).toBeLessThan(g.height)
  })

  it('maps working pixels back to micrograph pixels through bin and crop', () => {
    const w = 1000
    const h = 700
    const data = new Float32Array(w * h)
    addSphere(data, w, h, 613.4, 287.9, 30, 1)
    const {bin, binnedWidth, binnedHeight, geometry: g} = planWorkingGeometry(w, h, 1, 6)
    const binned = binClamped(createImage(w, h, data), bin, -Infinity, Infinity, 0, binnedWidth, binnedHeight)
    const work = fourierResample(binned, g.width, g.height)
    let best = 0
    for (let p = 0; p < work.data.length; p++) if (work.data[p] > work.data[best]) best = p
    const x = g.offset + (best % g.width) * g.scaleX
    const y = g.offset + Math.floor(best / g.width) * g.scaleY
    expect(Math.abs(x - 613.4)).toBeLessThan(g.scaleX)
    expect(Math.abs(y - 287.9)).toBeLessThan(g.scaleY)
  })

  it('clamps outliers before averaging and pads with the fill value', () => {
    const img = createImage(4, 2, Float32Array.from([1, 1, 1, 1000, 1, 1, 1, 1]))
    const out = binClamped(img, 2, 0, 5, 9, 3, 2)
    expect([...out.data]).toEqual([1, 2, 9, 9, 9, 9])
  })
})

describe('standardise', () => {
  it('gives zero mean, unit sigma, and dark particles positive unless told they are bright', () => {
    const d = Float32Array.from([10, 12, 14, 16])
    standardise(d, false)
    const s = intensityStats(d)
    expect(s.mean).toBeCloseTo(0, 6)
    expect(s.sd).toBeCloseTo(1, 6)
    expect(d[0]).toBeGreaterThan(0)
    const e = Float32Array.from([10, 12, 14, 16])
    standardise(e, true)
    expect(e[0]).toBeLessThan(0)
  })
})
