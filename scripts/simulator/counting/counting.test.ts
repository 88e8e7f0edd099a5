// The counting kernel through frameCounter: exact statistics of what it stores (rows whose width
// is not a multiple of the 8-pixel step, local drift, defects, int16 saturation), float frames
// holding the integer counts, and lanes that are independent streams.
import {describe, expect, it} from 'vitest'
import {emptyMrcStatistics} from '../../../core/formats/mrc-write.js'
import {drawDrift} from '../drift.js'
import {frameCounter, sensitivityOf, type CountFrame, type IntensityMap} from '../exposure.js'
import {drawGainReference, type GainReference} from '../gain.js'
import {createRng, sfc32} from '../rng.js'
import {poissonKernel} from './instance.js'

function flatMap(width: number, height: number, margin: number, value: number): IntensityMap {
  return {data: new Float32Array((width + 2 * margin) * (height + 2 * margin)).fill(value), width: width + 2 * margin, height: height + 2 * margin, margin}
}

/** Min, max, sum and sum of squares of a frame, computed directly. */
function directStatistics(frame: CountFrame) {
  const s = emptyMrcStatistics()
  for (const v of frame) {
    s.min = Math.min(s.min, v)
    s.max = Math.max(s.max, v)
    s.sum += v
    s.sumSquares += v * v
    s.count++
  }
  return s
}

describe('frameCounter', () => {
  const [width, height] = [163, 61]
  // Hot pixels at 20000 x 2 e/px: past int16, inside uint16.
  const gain = drawGainReference(createRng(3), width, height, {pixelSpread: 0.04, columnSpread: 0.02, hotFraction: 5e-3, deadFraction: 5e-3, hotRate: 20000})
  const drift = drawDrift(createRng(4), 3, width, height, {fastAmplitude: 3, fastFrames: 1, slowSpeed: 0.2, jitter: 0.1, localAmplitude: 2})
  const map = flatMap(width, height, 12, 1)
  for (let i = 0; i < map.data.length; i++) map.data[i] = 1 + 0.5 * Math.sin(i / 37)
  const counter = (seed: number) => frameCounter(map, drift, sensitivityOf(gain), gain, createRng(seed))

  it('adds exactly the statistics of the values it stores, defects and saturation included', () => {
    for (const out of [new Int16Array(width * height), new Uint16Array(width * height)]) {
      const c = counter(1)
      const total = emptyMrcStatistics()
      const expected = emptyMrcStatistics()
      for (let frame = 0; frame < 3; frame++) {
        c.count({electronsPerPixel: 2, frame}, out, total)
        const s = directStatistics(out)
        expected.min = Math.min(expected.min, s.min)
        expected.max = Math.max(expected.max, s.max)
        expected.sum += s.sum
        expected.sumSquares += s.sumSquares
        expected.count += s.count
      }
      expect(total).toEqual(expected)
      expect(expected.min).toBe(0)
      if (out instanceof Int16Array) expect(expected.max).toBe(32767)
      else expect(expected.max).toBeGreaterThan(32767)
    }
  })

  it('stores the same counts as floats and as integers for a seed, dead pixels at 0', () => {
    const asFloat = counter(2).count({electronsPerPixel: 2, frame: 2}, new Float32Array(width * height))
    const asInteger = counter(2).count({electronsPerPixel: 2, frame: 2}, new Uint16Array(width * height))
    expect(Array.from(asFloat)).toEqual(Array.from(asInteger))
    expect(Array.from(gain.deadPixels, (i) => asFloat[i]).every((v) => v === 0)).toBe(true)
    expect(Array.from(counter(3).count({electronsPerPixel: 2, frame: 2}, new Uint16Array(width * height)))).not.toEqual(Array.from(asInteger))
  })

  it('rejects a frame buffer of the wrong size, naming both sizes', () => {
    expect(() => counter(1).count({electronsPerPixel: 1, frame: 0}, new Float32Array(10))).toThrow(/10 values.*163 x 61/)
  })
})

describe('counting lanes', () => {
  it('are independent: neighbouring pixels (other lanes, or the other half of one draw) are uncorrelated', () => {
    const size = 256
    const flat: GainReference = {width: size, height: size, gain: new Float32Array(size * size).fill(1), hotPixels: new Uint32Array(0), deadPixels: new Uint32Array(0), hotRate: 0}
    const f = frameCounter(flatMap(size, size, 4, 1), {global: [[0, 0]]}, sensitivityOf(flat), flat, createRng(8)).count({electronsPerPixel: 3, frame: 0}, new Float32Array(size * size))
    const mean = f.reduce((s, v) => s + v, 0) / f.length
    const variance = f.reduce((s, v) => s + (v - mean) ** 2, 0) / f.length
    // Pixel x is lane x % 4, top half for x % 8 < 4: offsets 1-3 cross lanes, 4 pairs the halves of one draw, 8 steps a lane.
    for (let offset = 1; offset <= 8; offset++) {
      let c = 0
      let n = 0
      for (let y = 0; y < size; y++) for (let x = 0; x + offset < size; x++, n++) c += (f[y * size + x] - mean) * (f[y * size + x + offset] - mean)
      // Standard error of a correlation coefficient near 0: 1 / sqrt(n).
      expect(Math.abs(c / n / variance)).toBeLessThan(4 / Math.sqrt(n))
    }
  })
})

describe('the SIMD counting loop', () => {
  it('gives every pixel the count of the scalar guide table for its lane\'s 16 bits (pixel x: lane x % 4, top half when x % 8 < 4)', () => {
    const [width, height] = [64, 16]
    // No motion, unit map and dose: each pixel's mean is its sensitivity, spread over the whole
    // guide table, past it (>= 32) and zero.
    const sensitivity = Float32Array.from({length: width * height}, (_, i) => (i % 97 === 0 ? 0 : ((i * 7919) % 4001) / 100))
    const flat: GainReference = {width, height, gain: new Float32Array(width * height).fill(1), hotPixels: new Uint32Array(0), deadPixels: new Uint32Array(0), hotRate: 0}
    const counted = frameCounter(flatMap(width, height, 4, 1), {global: [[0, 0]]}, sensitivity, flat, createRng(5)).count({electronsPerPixel: 1, frame: 0}, new Uint16Array(width * height))
    // The counter's streams, forked in its order: the four lanes, then the refine stream.
    const rng = createRng(5)
    const lanes = [0, 1, 2, 3].map((lane) => rng.fork(`counting lane ${lane}`).state())
    const poisson = poissonKernel()
    poisson.refine.set(rng.fork('guide misses').state())
    const expected = new Uint16Array(width * height)
    for (let i = 0; i < width * height; i += 8) {
      const draws = lanes.map((s) => sfc32(s))
      for (let k = 0; k < 8; k++) expected[i + k] = poisson.countFromHalf(sensitivity[i + k], k < 4 ? draws[k] >>> 16 : draws[k - 4] & 0xffff)
    }
    expect(Array.from(counted)).toEqual(Array.from(expected))
    expect(Math.max(...counted)).toBeGreaterThan(32)
  })
})
