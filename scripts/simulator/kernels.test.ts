// The pure kernels: seeded streams, drift trajectories, counting statistics, the sign of the
// motion in the frames, gain, and the particle coordinate convention of the truth.
import {describe, expect, it} from 'vitest'
import {accumulatedMotion, drawDrift, driftAlongRows, driftAt} from './drift.js'
import {exposeFrame, sensitivityOf, type IntensityMap} from './exposure.js'
import {drawGainReference, type GainReference} from './gain.js'
import {simulateMicrograph, simulateMovie} from './movie.js'
import {createRng} from './rng.js'
import {randomSmoothField, renderField, sampleField} from './smooth-field.js'
import {fixedMovieOptions} from './test-support.js'

const flatGain = (w: number, h: number): GainReference => ({width: w, height: h, gain: new Float32Array(w * h).fill(1), hotPixels: new Uint32Array(0), deadPixels: new Uint32Array(0), hotRate: 0})

describe('rng', () => {
  it('repeats a stream for a seed and label, and differs across labels', () => {
    const a = createRng(5, 'x')
    const b = createRng(5, 'x')
    const c = createRng(5, 'y')
    const sa = Array.from({length: 5}, () => a.next())
    expect(Array.from({length: 5}, () => b.next())).toEqual(sa)
    expect(Array.from({length: 5}, () => c.next())).not.toEqual(sa)
  })

  it('draws normals with mean 0 and variance 1', () => {
    const r = createRng(1)
    const xs = Array.from({length: 20000}, () => r.normal())
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.03)
    expect(Math.abs(variance - 1)).toBeLessThan(0.05)
  })
})

describe('drift', () => {
  const options = {fastAmplitude: 8, fastFrames: 2, slowSpeed: 0.1, jitter: 0.01, localAmplitude: 2}

  it('starts at [0, 0], moves fast early and slowly late', () => {
    const d = drawDrift(createRng(3), 30, 1024, 1024, options)
    expect(d.global[0]).toEqual([0, 0])
    const step = (a: number, b: number) => Math.hypot(d.global[b][0] - d.global[a][0], d.global[b][1] - d.global[a][1])
    expect(step(0, 3)).toBeGreaterThan(5 * step(26, 29))
    expect(accumulatedMotion(d.global)).toBeGreaterThan(step(0, 29))
  })

  it('has a local part that is zero at frame 1 and about localAmplitude RMS at the end', () => {
    const d = drawDrift(createRng(4), 20, 1024, 1024, options)
    const residual = (f: number) => {
      let sq = 0
      let n = 0
      for (let y = 0; y < 1024; y += 128) {
        for (let x = 0; x < 1024; x += 128, n++) {
          const [dx, dy] = driftAt(d, f, x, y)
          sq += (dx - d.global[f][0]) ** 2 + (dy - d.global[f][1]) ** 2
        }
      }
      return Math.sqrt(sq / n)
    }
    expect(residual(0)).toBe(0)
    expect(residual(19)).toBeGreaterThan(1)
    expect(residual(19)).toBeLessThan(3.5)
  })

  it('gives driftAt\'s shifts bit for bit when asked for a whole row (local and global-only)', () => {
    const xs = Float64Array.from([-5, 0, 31.5, 500, 1023, 1100])
    for (const d of [drawDrift(createRng(5), 6, 1024, 768, options), drawDrift(createRng(5), 6, 1024, 768, {...options, localAmplitude: 0})]) {
      const sx = new Float64Array(xs.length)
      const sy = new Float64Array(xs.length)
      const rows = driftAlongRows(d, xs)
      for (const [f, y] of [[0, 0], [3, 100.5], [5, 767], [5, 900]]) {
        rows(f, y, sx, sy)
        xs.forEach((x, i) => expect([sx[i], sy[i]]).toEqual(driftAt(d, f, x, y)))
      }
    }
  })
})

describe('exposeFrame', () => {
  const size = 128
  const margin = 16
  const mapSize = size + 2 * margin

  function spotMap(x0: number, y0: number): IntensityMap {
    const data = new Float32Array(mapSize * mapSize)
    for (let y = 0; y < mapSize; y++) for (let x = 0; x < mapSize; x++) data[y * mapSize + x] = Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / 18)
    return {data, width: mapSize, height: mapSize, margin}
  }

  function centroid(f: Float32Array): [number, number] {
    let sx = 0
    let sy = 0
    let s = 0
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const v = f[y * size + x]
      sx += v * x
      sy += v * y
      s += v
    }
    return [sx / s, sy / s]
  }

  it('moves the content by +shift (specimen motion) in columns (x) and rows (y)', () => {
    const gain = flatGain(size, size)
    const drift = {global: [[0, 0], [3.25, -1.5]] as [number, number][]}
    const map = spotMap(margin + 60, margin + 70)
    const rng = createRng(2)
    const [x0, y0] = centroid(exposeFrame(map, drift, sensitivityOf(gain), gain, {electronsPerPixel: 2000, frame: 0}, rng))
    const [x1, y1] = centroid(exposeFrame(map, drift, sensitivityOf(gain), gain, {electronsPerPixel: 2000, frame: 1}, rng))
    expect(x1 - x0).toBeCloseTo(3.25, 1)
    expect(y1 - y0).toBeCloseTo(-1.5, 1)
  })

  it('counts Poisson electrons: mean = variance = dose x intensity / gain', () => {
    for (const dose of [0.3, 1.7, 9]) {
      const gain = flatGain(256, 256)
      gain.gain.fill(2)
      const map: IntensityMap = {data: new Float32Array(264 * 264).fill(0.8), width: 264, height: 264, margin: 4}
      const f = exposeFrame(map, {global: [[0, 0]]}, sensitivityOf(gain), gain, {electronsPerPixel: dose, frame: 0}, createRng(9))
      const mean = f.reduce((s, v) => s + v, 0) / f.length
      const variance = f.reduce((s, v) => s + (v - mean) ** 2, 0) / f.length
      const expected = (dose * 0.8) / 2
      expect(Math.abs(mean - expected) / expected).toBeLessThan(0.02)
      expect(Math.abs(variance - expected) / expected).toBeLessThan(0.05)
      expect(f.every((v) => Number.isInteger(v))).toBe(true)
      // The whole distribution, including the tail past the unrolled terms.
      let pmf = Math.exp(-expected)
      for (let k = 0; k <= 12; k++) {
        if (k > 0) pmf *= expected / k
        const observed = f.reduce((n, v) => n + (v === k ? 1 : 0), 0) / f.length
        expect(Math.abs(observed - pmf)).toBeLessThan(0.004)
      }
    }
  })
})

describe('gain reference', () => {
  it('has mean 1, a column pattern, and hot / dead pixels that the frames show', () => {
    const gain = drawGainReference(createRng(1), 256, 256, {pixelSpread: 0.04, columnSpread: 0.03, hotFraction: 1e-3, deadFraction: 1e-3, hotRate: 30})
    const mean = gain.gain.reduce((s, v) => s + v, 0) / gain.gain.length
    expect(mean).toBeCloseTo(1, 5)
    const columnMeans = Array.from({length: 256}, (_, x) => {
      let s = 0
      for (let y = 0; y < 256; y++) s += gain.gain[y * 256 + x]
      return s / 256
    })
    const spread = Math.sqrt(columnMeans.reduce((s, v) => s + (v - 1) ** 2, 0) / 256)
    expect(spread).toBeGreaterThan(0.015)
    expect(gain.hotPixels.length).toBe(66)
    const map: IntensityMap = {data: new Float32Array(264 * 264).fill(1), width: 264, height: 264, margin: 4}
    const frame = exposeFrame(map, {global: [[0, 0]]}, sensitivityOf(gain), gain, {electronsPerPixel: 50, frame: 0}, createRng(2))
    expect(Array.from(gain.deadPixels, (i) => frame[i]).every((v) => v === 0)).toBe(true)
    expect(Math.min(...Array.from(gain.hotPixels, (i) => frame[i]))).toBeGreaterThan(1000)
    // Raw counts x gain are flat: the column pattern is gone after gain correction.
    const correctedColumn = (x: number) => {
      let s = 0
      for (let y = 0; y < 256; y++) if (!gain.hotPixels.includes(y * 256 + x)) s += frame[y * 256 + x] * gain.gain[y * 256 + x]
      return s / 256
    }
    const corrected = Array.from({length: 256}, (_, x) => correctedColumn(x))
    const rawColumn = (x: number) => {
      let s = 0
      for (let y = 0; y < 256; y++) if (!gain.hotPixels.includes(y * 256 + x)) s += frame[y * 256 + x]
      return s / 256
    }
    const raw = Array.from({length: 256}, (_, x) => rawColumn(x))
    const sd = (xs: number[]) => {
      const m = xs.reduce((s, v) => s + v, 0) / xs.length
      return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / xs.length) / m
    }
    expect(sd(raw)).toBeGreaterThan(2 * sd(corrected))
  })
})

describe('simulated particles', () => {
  it('sit at the truth coordinates with x = column, y = row (dark blobs in underfocus)', () => {
    // Not square, so that swapping x and y would also break the indexing.
    const [w, h] = [640, 512]
    const o = fixedMovieOptions({width: w, height: h, frames: 40, particleDiameter: 100, coverage: 0.3, seed: 21})
    const {image, truth} = simulateMicrograph(o)
    expect(truth.particles.length).toBeGreaterThan(5)
    expect(truth.particles.every(([x, y]) => x >= 0 && x < w && y >= 0 && y < h)).toBe(true)
    expect(Math.max(...truth.particles.map(([x]) => x))).toBeGreaterThan(h)
    // Low-pass (box blur of ~ the particle radius) then sample at the coordinates.
    const blurred = boxBlur(image.data, w, h, 15)
    const at = ([x, y]: [number, number]) => blurred[Math.min(Math.round(y), h - 1) * w + Math.min(Math.round(x), w - 1)]
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length
    const onParticles = mean(truth.particles.map(at))
    const transposed = mean(truth.particles.map(([x, y]) => at([y, x])))
    const background = mean(Array.from(blurred))
    expect(onParticles).toBeLessThan(background)
    expect(background - onParticles).toBeGreaterThan(3 * Math.abs(background - transposed))
  })

  it('is deterministic for a seed', () => {
    const o = fixedMovieOptions({width: 512, height: 512, frames: 2})
    const a = simulateMovie(o)
    const b = simulateMovie(o)
    expect(a.truth).toEqual(b.truth)
    expect(a.frames[1].every((v, i) => v === b.frames[1][i])).toBe(true)
  })
})

function boxBlur(data: Float32Array, w: number, h: number, r: number): Float32Array {
  const pass = (src: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(src.length)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0
      let n = 0
      for (let d = -r; d <= r; d++) {
        const xx = horizontal ? x + d : x
        const yy = horizontal ? y : y + d
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue
        s += src[yy * w + xx]
        n++
      }
      out[y * w + x] = s / n
    }
    return out
  }
  return pass(pass(data, true), false)
}

describe('smooth field', () => {
  it('renders the same values as point sampling', () => {
    const f = randomSmoothField(300, 200, createRng(8), 80)
    const img = renderField(f)
    for (const [x, y] of [[0, 0], [299, 199], [17, 133], [150, 0], [0, 101]]) expect(img[y * 300 + x]).toBeCloseTo(sampleField(f, x, y), 5)
  })
})
