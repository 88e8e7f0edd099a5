import {describe, expect, it} from 'vitest'
import {opticsCoefficients} from './defocus.js'
import {defaultFitResolutionSettings, fitResolution} from './fit-resolution.js'
import type {RadialProfile} from './radial-profile.js'

const c = opticsCoefficients({voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.07})
const mean = 15000

/** A profile whose spectrum follows CTF^2 up to kCut and is unrelated noise beyond. */
function profile(kCut: number, seed: number) {
  const k = Float64Array.from({length: 300}, (_, i) => 0.03 + i * 0.001)
  const p: RadialProfile = {k, k2: k.map((x) => x * x), value: new Float64Array(k.length), count: k.map(() => 100)}
  const fit = k.map((x) => Math.sin(c.defocusTerm * mean * x * x - c.quartic * x ** 4 + c.constant) ** 2)
  let s = seed
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5
  const spectrum = k.map((x, i) => (x < kCut ? fit[i] + 0.1 * noise() : noise()))
  return {p, fit, spectrum}
}

describe('fitResolution', () => {
  it('finds where the rings stop matching the fit', () => {
    for (const kCut of [0.12, 0.2, 0.28]) {
      const {p, fit, spectrum} = profile(kCut, 7)
      const r = fitResolution(p, spectrum, fit, c, mean, defaultFitResolutionSettings)
      // Within the correlation window (1.5 rings either side) of the true cut; a ring (pi of
      // chi) is pi / (d chi / dk) = pi / (2 defocusTerm mean k) wide.
      const window = (1.5 * Math.PI) / (2 * c.defocusTerm * mean * kCut)
      expect(Math.abs(1 / r.resolution - kCut)).toBeLessThan(window)
      expect(r.correlation.length).toBe(p.k.length)
    }
  })

  it('reports the last frequency when the rings fit everywhere', () => {
    const {p, fit, spectrum} = profile(1, 3)
    expect(fitResolution(p, spectrum, fit, c, mean, defaultFitResolutionSettings).resolution).toBeCloseTo(1 / p.k[p.k.length - 1], 9)
  })
})
