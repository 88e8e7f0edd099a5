import {describe, expect, it} from 'vitest'
import {CtfOptionsError} from './errors.js'
import {estimateCtfOfSpectrum} from './estimate.js'
import {defaultCtfOptions, resolveCtfOptions} from './options.js'

describe('resolveCtfOptions', () => {
  it('fills CTFFIND defaults and keeps what the caller set', () => {
    const o = resolveCtfOptions({voltage: 200, maxResolution: 4})
    expect(o.voltage).toBe(200)
    expect(o.maxResolution).toBe(4)
    expect(o.boxSize).toBe(defaultCtfOptions.boxSize)
  })

  it.each([
    [{voltage: 0}, 'voltage'],
    [{boxSize: 511}, 'boxSize'],
    [{maxResolution: 40}, 'maxResolution'],
    [{minDefocus: 30000, maxDefocus: 20000}, 'maxDefocus'],
    [{amplitudeContrast: 0.7}, 'amplitudeContrast'],
    [{resolutionThreshold: 1.5}, 'resolutionThreshold'],
  ])('names the field of a bad value %j', (partial, field) => {
    expect(() => resolveCtfOptions(partial)).toThrowError(CtfOptionsError)
    try {
      resolveCtfOptions(partial)
    } catch (e) {
      expect((e as CtfOptionsError).field).toBe(field)
      expect((e as Error).message).toContain(field)
    }
  })

  it('rejects a fit band that lies beyond the spectrum Nyquist, naming minResolution', () => {
    const spectrum = {box: 64, pixelSize: 4, power: new Float32Array(33 * 64).fill(1), samplesPerPixel: 1}
    expect(() => estimateCtfOfSpectrum(spectrum, resolveCtfOptions({minResolution: 9, maxResolution: 5}))).toThrowError(/minResolution/)
  })
})
