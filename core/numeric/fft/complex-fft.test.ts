import {describe, expect, it} from 'vitest'
import {complexFft, factorize} from './complex-fft.js'

function randomComplex(n: number, seed: number): Float64Array {
  let state = seed
  const out = new Float64Array(2 * n)
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648
    out[i] = state / 2147483648 - 0.5
  }
  return out
}

function directDft(x: Float64Array, inverse: boolean): Float64Array {
  const n = x.length / 2
  const out = new Float64Array(2 * n)
  const sign = inverse ? 1 : -1
  for (let k = 0; k < n; k++) {
    let re = 0, im = 0
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n
      const c = Math.cos(angle), s = Math.sin(angle)
      re += x[2 * j] * c - x[2 * j + 1] * s
      im += x[2 * j] * s + x[2 * j + 1] * c
    }
    out[2 * k] = re
    out[2 * k + 1] = im
  }
  return out
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('factorize', () => {
  it('takes 4s first and multiplies back to n', () => {
    expect(factorize(4092)).toEqual([4, 3, 11, 31])
    expect(factorize(5760)).toEqual([4, 4, 4, 2, 3, 3, 5])
    for (const n of [1, 2, 97, 1000, 8184]) expect(factorize(n).reduce((a, b) => a * b, 1)).toBe(n)
  })
})

describe('complexFft', () => {
  // Mixed radix 2/3/4/5/7/11/31, a prime handled directly (61) and primes handled by Bluestein (67, 2*97).
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 30, 31, 44, 61, 67, 93, 100, 128, 194, 341]
  for (const n of lengths) {
    it(`matches the direct DFT for n = ${n}, both directions`, () => {
      const x = randomComplex(n, n)
      for (const inverse of [false, true]) {
        const y = x.slice()
        complexFft(n).transform(y, inverse)
        expect(maxAbsDiff(y, directDft(x, inverse))).toBeLessThan(1e-12 * n)
      }
    })
  }

  it('transforms interleaved batches like separate vectors', () => {
    const n = 12, batch = 3
    const data = randomComplex(n * batch, 7)
    const expected = new Float64Array(2 * n * batch)
    for (let b = 0; b < batch; b++) {
      const one = new Float64Array(2 * n)
      for (let i = 0; i < n; i++) one.set(data.subarray(2 * (i * batch + b), 2 * (i * batch + b) + 2), 2 * i)
      const y = directDft(one, false)
      for (let i = 0; i < n; i++) expected.set(y.subarray(2 * i, 2 * i + 2), 2 * (i * batch + b))
    }
    complexFft(n).transform(data, false, batch)
    expect(maxAbsDiff(data, expected)).toBeLessThan(1e-12)
  })

  it('transforms batches with Bluestein lengths', () => {
    const n = 67, batch = 2
    const data = randomComplex(n * batch, 3)
    const first = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) first.set(data.subarray(4 * i, 4 * i + 2), 2 * i)
    complexFft(n).transform(data, false, batch)
    const got = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) got.set(data.subarray(4 * i, 4 * i + 2), 2 * i)
    expect(maxAbsDiff(got, directDft(first, false))).toBeLessThan(1e-10)
  })

  it('rejects invalid lengths', () => {
    expect(() => complexFft(0)).toThrow(RangeError)
    expect(() => complexFft(2.5)).toThrow(RangeError)
  })
})
