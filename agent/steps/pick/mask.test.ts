import {describe, expect, it} from 'vitest'
import {realFft2D} from '../../../core/numeric/fft.js'
import {dilate, pickMask, robustSpread} from './mask.js'
import {standardise} from './normalise.js'
import {addSphere, blobField} from './synthetic-blobs.js'

describe('pickMask', () => {
  const n = 192
  const pixelSize = 10 // A: particles of 150 A are 15 px
  const field = blobField({width: n, height: n, diameter: [15, 15], count: 60, contrast: 1.5, seed: 3, margin: 8})
  const image = field.image
  // Contamination: a very dark ball; an empty (bright) patch in the opposite corner.
  addSphere(image.data, n, n, 150, 45, 28, -12)
  for (let y = 140; y < 192; y++) for (let x = 0; x < 50; x++) image.data[y * n + x] += 4
  const data = image.data.slice()
  standardise(data, false)
  const spectrum = realFft2D(n, n).forward(data)
  const opts = {lowpassSigma: 200, darkSigma: 5, brightSigma: 5, dilateRadius: 7, edgeX: 5, edgeY: 8}

  it('masks dark contamination and bright empty areas but not the particles', () => {
    const {allowed, maskedFraction} = pickMask(spectrum, n, n, pixelSize, pixelSize, opts)
    expect(allowed[45 * n + 150]).toBe(0)
    expect(allowed[175 * n + 20]).toBe(0)
    const farFromBoth = field.centres.filter(([x, y]) => Math.hypot(x - 150, y - 45) > 60 && (x > 75 || y < 115))
    expect(farFromBoth.length).toBeGreaterThan(10)
    for (const [x, y] of farFromBoth) expect(allowed[Math.round(y) * n + Math.round(x)]).toBe(1)
    expect(maskedFraction).toBeGreaterThan(0.05)
    expect(maskedFraction).toBeLessThan(0.3)
  })

  it('applies the edge margins and can be switched off', () => {
    const {allowed, maskedFraction} = pickMask(spectrum, n, n, pixelSize, pixelSize, {...opts, darkSigma: null, brightSigma: null})
    expect(maskedFraction).toBe(0)
    expect(allowed[45 * n + 150]).toBe(1)
    expect(allowed[100 * n + 4]).toBe(0)
    expect(allowed[100 * n + 5]).toBe(1)
    expect(allowed[7 * n + 100]).toBe(0)
    expect(allowed[8 * n + 100]).toBe(1)
    expect(allowed[(n - 8) * n + 100]).toBe(0)
    expect(allowed[(n - 9) * n + 100]).toBe(1)
  })
})

describe('pickMask areas', () => {
  it('labels a darker half (carbon) as a second area, and a plain field as one', () => {
    const n = 200
    const field = blobField({width: n, height: n, diameter: [12, 12], count: 40, contrast: 1, seed: 5, margin: 8})
    const plain = field.image.data.slice()
    standardise(plain, false)
    const one = pickMask(realFft2D(n, n).forward(plain), n, n, 10, 10, {lowpassSigma: 50, darkSigma: null, brightSigma: null, dilateRadius: 0, edgeX: 0, edgeY: 0})
    expect(one.regions).toBeNull()
    const carbon = field.image.data.slice()
    for (let y = 0; y < n; y++) for (let x = 120; x < n; x++) carbon[y * n + x] -= 2
    standardise(carbon, false)
    const two = pickMask(realFft2D(n, n).forward(carbon), n, n, 10, 10, {lowpassSigma: 50, darkSigma: null, brightSigma: null, dilateRadius: 0, edgeX: 0, edgeY: 0})
    expect(two.regions).not.toBeNull()
    expect(two.regions![100 * n + 170]).toBe(1)
    expect(two.regions![100 * n + 40]).toBe(0)
  })
})

describe('dilate', () => {
  it('grows a pixel into a disk of the radius', () => {
    const w = 21
    const m = new Uint8Array(w * w)
    m[10 * w + 10] = 1
    const d = dilate(m, w, w, 4)
    let count = 0
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) if (d[y * w + x]) {
      count++
      expect((x - 10) ** 2 + (y - 10) ** 2).toBeLessThanOrEqual(16)
    }
    expect(count).toBe(49) // lattice points within radius 4
  })
})

describe('robustSpread', () => {
  it('ignores a minority of outliers', () => {
    const v = new Float32Array(1000)
    for (let i = 0; i < 1000; i++) v[i] = i % 10 === 0 ? 1000 : (i % 7) - 3
    const s = robustSpread(v)
    expect(Math.abs(s.median)).toBeLessThanOrEqual(1)
    expect(s.sigma).toBeLessThan(5)
  })
})
