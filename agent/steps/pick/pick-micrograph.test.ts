import {describe, expect, it} from 'vitest'
import {scorePicks} from './f1.js'
import {defaultPickOptions} from './options.js'
import {pickMicrograph, PickOptionsError} from './pick-micrograph.js'
import {addSphere, blobField} from './synthetic-blobs.js'

const pixelSize = 1.5
const opts = {...defaultPickOptions, diameterMin: 130, diameterMax: 170}

describe('pickMicrograph on synthetic blobs', () => {
  // 150 A particles = 100 px at 1.5 A/px, on a non-square field (different scale per axis).
  const field = blobField({width: 1024, height: 800, diameter: [92, 108], count: 40, contrast: 0.4, seed: 11, margin: 60})

  it('finds the particles in micrograph pixels with F1 >= 0.9', () => {
    const picks = pickMicrograph(field.image, pixelSize, opts)
    const score = scorePicks(picks.coordinates, field.centres, 0.25 * 100)
    expect(field.centres.length).toBeGreaterThan(25)
    expect(score.f1).toBeGreaterThanOrEqual(0.9)
    // Sub-pixel peaks mapped back through bin + crop: well inside the match radius.
    expect(score.meanError).toBeLessThan(6)
    for (const d of picks.diameters) expect(d).toBeGreaterThanOrEqual(130)
    expect(picks.scores.every((s, i) => i === 0 || s <= picks.scores[i - 1])).toBe(true)
  })

  it('picks bright particles only when told they are bright', () => {
    const bright = {...field.image, data: field.image.data.map((v) => 200 - v)}
    const asDark = scorePicks(pickMicrograph(bright, pixelSize, opts).coordinates, field.centres, 25)
    const asBright = scorePicks(pickMicrograph(bright, pixelSize, {...opts, invert: true}).coordinates, field.centres, 25)
    expect(asBright.f1).toBeGreaterThanOrEqual(0.9)
    expect(asDark.f1).toBeLessThan(0.3)
  })

  it('keeps picks away from contamination, the edge and each other', () => {
    const image = {...field.image, data: field.image.data.slice()}
    addSphere(image.data, image.width, image.height, 700, 400, 180, -15)
    const picks = pickMicrograph(image, pixelSize, {...opts, edgeMargin: 150, exclusionDistance: 120})
    expect(picks.maskedFraction).toBeGreaterThan(0.05)
    expect(picks.coordinates.length).toBeGreaterThan(10)
    for (const [x, y] of picks.coordinates) {
      expect(Math.hypot(x - 700, y - 400)).toBeGreaterThan(180)
      expect(Math.min(x, y, 1023 - x, 799 - y)).toBeGreaterThanOrEqual(100 - 1)
    }
    for (let i = 0; i < picks.coordinates.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [picks.coordinates[i], picks.coordinates[j]]
        expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeGreaterThan(80 - 8)
      }
    }
  })

  it('picks nothing on a flat or a too-small micrograph', () => {
    const flat = {width: 512, height: 384, data: new Float32Array(512 * 384).fill(7)}
    expect(pickMicrograph(flat, pixelSize, opts).coordinates).toEqual([])
    const tiny = {width: 40, height: 40, data: field.image.data.slice(0, 1600)}
    expect(pickMicrograph(tiny, pixelSize, opts).coordinates).toEqual([])
  })

  it('names the option at fault', () => {
    expect(() => pickMicrograph(field.image, 0, opts)).toThrow(PickOptionsError)
    expect(() => pickMicrograph(field.image, pixelSize, {...opts, diameterMax: 50})).toThrow(/diameterMax/)
  })
})
