import {describe, expect, it} from 'vitest'
import {percentileWindow, toGray8} from './contrast.js'

describe('contrast stretch', () => {
  it('takes the window from percentiles, ignoring a few extreme pixels', () => {
    const data = new Float32Array(1000)
    for (let i = 0; i < 1000; i++) data[i] = i / 10 // 0 .. 99.9
    data[0] = -1e6
    data[999] = 1e6
    const {low, high} = percentileWindow(data, 1, 99)
    expect(low).toBeCloseTo(1, 0)
    expect(high).toBeCloseTo(98.9, 0)
  })

  it('maps the window linearly to 0..255 and clamps outside it', () => {
    const g = toGray8(Float32Array.from([-5, 0, 5, 10, 20]), 0, 10)
    expect([...g]).toEqual([0, 0, 128, 255, 255])
    expect([...toGray8(Float32Array.from([3, 3]), 3, 3)]).toEqual([128, 128])
  })
})
