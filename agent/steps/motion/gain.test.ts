import {describe, expect, it} from 'vitest'
import {checkGainOrientation, orientGain, orientationLooksWrong, sameOrientation, type Plane} from './gain.js'
import {gaussian, mulberry32, poisson} from './test-support/synthetic-movie.js'

// 3 columns x 2 rows:  0 1 2 / 3 4 5  (row 0 on top)
const probe: Plane = {width: 3, height: 2, data: Float32Array.from([0, 1, 2, 3, 4, 5])}

describe('orientGain (RELION --gain_rot clockwise as displayed, then --gain_flip)', () => {
  it('rotates 90 degrees clockwise: the left column becomes the top row, read bottom-up', () => {
    const r = orientGain(probe, 1, 0)
    expect([r.width, r.height]).toEqual([2, 3])
    expect(Array.from(r.data)).toEqual([3, 0, 4, 1, 5, 2])
  })
  it('rotates 180 and 270 degrees', () => {
    expect(Array.from(orientGain(probe, 2, 0).data)).toEqual([5, 4, 3, 2, 1, 0])
    expect(Array.from(orientGain(probe, 3, 0).data)).toEqual([2, 5, 1, 4, 0, 3])
  })
  it('flips after rotating: 1 = upside down, 2 = left to right', () => {
    expect(Array.from(orientGain(probe, 0, 1).data)).toEqual([3, 4, 5, 0, 1, 2])
    expect(Array.from(orientGain(probe, 0, 2).data)).toEqual([2, 1, 0, 5, 4, 3])
    expect(Array.from(orientGain(probe, 1, 1).data)).toEqual([5, 2, 4, 1, 3, 0])
  })
  it('four clockwise quarter turns are the identity', () => {
    let p = probe
    for (let i = 0; i < 4; i++) p = orientGain(p, 1, 0)
    expect(Array.from(p.data)).toEqual(Array.from(probe.data))
  })
  it('knows that rotation 2 + flip 1 is flip 2', () => {
    expect(sameOrientation(2, 1, 0, 2)).toBe(true)
    expect(sameOrientation(1, 0, 3, 0)).toBe(false)
  })
})

describe('checkGainOrientation', () => {
  // Raw counts = Poisson(specimen) / true gain: a 4 % pixel pattern under shot noise and contrast.
  const w = 320
  const h = 240
  const rand = mulberry32(7)
  const trueGain = Float32Array.from({length: w * h}, () => 1 + 0.04 * gaussian(rand))
  const raw = Float32Array.from(trueGain, (g, i) => poisson(40 * (1 + 0.3 * Math.sin(i / 300)), rand) / g)
  const rawSum = {width: w, height: h, data: raw}

  it('accepts the orientation that matches the detector', () => {
    const check = checkGainOrientation(rawSum, {width: w, height: h, data: trueGain}, 0, 0)
    expect(orientationLooksWrong(check)).toBe(false)
    expect(check.best).toMatchObject({rotation: 0, flip: 0})
    expect(check.given).toBeGreaterThan(check.noise)
  })

  it('flags a gain stored rotated and finds the rotation that undoes it', () => {
    // The file holds the gain rotated by 90 degrees counter-clockwise; rotation 1 undoes that.
    const stored = orientGain({width: w, height: h, data: trueGain}, 3, 0)
    const wrong = checkGainOrientation(rawSum, stored, 3, 0)
    expect(orientationLooksWrong(wrong)).toBe(true)
    expect(sameOrientation(wrong.best.rotation, wrong.best.flip, 1, 0)).toBe(true)
    expect(orientationLooksWrong(checkGainOrientation(rawSum, stored, 1, 0))).toBe(false)
  })

  it('flags a flipped gain', () => {
    const check = checkGainOrientation(rawSum, orientGain({width: w, height: h, data: trueGain}, 0, 1), 0, 0)
    expect(orientationLooksWrong(check)).toBe(true)
    expect(check.best).toMatchObject({rotation: 0, flip: 1})
  })
})
