import {describe, expect, it} from 'vitest'
import {floatToHalf, halfToFloat} from './float16.js'

describe('float16', () => {
  it('encodes IEEE half bit patterns, rounding to nearest even', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff], // largest finite
      [65520, 0x7c00], // rounds up to infinity
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -14, 0x0400], // smallest normal
      [1 / 3, 0x3555],
      [2049, 0x6800], // tie between 2048 and 2050: even mantissa (2048)
      [2051, 0x6802], // tie between 2050 and 2052: even mantissa (2052)
      [0, 0],
      [-Infinity, 0xfc00],
    ]
    for (const [value, bits] of cases) expect(floatToHalf(value).toString(16)).toBe(bits.toString(16))
    expect(floatToHalf(NaN) & 0x7c00).toBe(0x7c00)
  })

  it('decodes every finite half exactly and round-trips it', () => {
    const mismatches: number[] = []
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToFloat(bits)
      if (Number.isFinite(value) && floatToHalf(value) !== bits) mismatches.push(bits) // -0 included
    }
    expect(mismatches).toEqual([])
    expect(halfToFloat(0x7c00)).toBe(Infinity)
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true)
  })
})
