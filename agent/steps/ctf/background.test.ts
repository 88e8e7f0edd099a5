import {describe, expect, it} from 'vitest'
import {evaluateCurve, fitSpectrumModel, SpectrumModelFitter} from './background.js'

describe('joint background + envelope * CTF^2 fit', () => {
  const k = Float64Array.from({length: 150}, (_, i) => 0.03 + i * 0.0012)
  const ctf2 = k.map((x) => Math.sin(0.06 * 15000 * x * x) ** 2)
  const background = (x: number) => 3 / (1 + (x / 0.08) ** 2)
  const envelope = (x: number) => 2 * Math.exp(-60 * x * x)

  it('recovers smooth background and envelope curves under the rings', () => {
    const value = k.map((x, i) => background(x) + envelope(x) * ctf2[i])
    const model = fitSpectrumModel(k, value, k.map(() => 1), ctf2, {background: 6, envelope: 4})
    for (const x of [0.04, 0.1, 0.16]) {
      expect(evaluateCurve(model.background, x)).toBeCloseTo(background(x), 2)
      expect(evaluateCurve(model.envelope, x)).toBeCloseTo(envelope(x), 2)
    }
    expect(model.rss).toBeLessThan(1e-4)
  })

  it('scores the true CTF^2 better than a shifted one, with the cached fitter agreeing', () => {
    const value = k.map((x, i) => background(x) + envelope(x) * ctf2[i])
    const w = k.map(() => 1)
    const fitter = new SpectrumModelFitter(k, value, w, {background: 6, envelope: 4})
    const wrong = k.map((x) => Math.sin(0.06 * 15500 * x * x) ** 2)
    expect(fitter.rss(ctf2)).toBeLessThan(fitter.rss(wrong) / 100)
    expect(fitter.rss(wrong)).toBeCloseTo(fitSpectrumModel(k, value, w, wrong, {background: 6, envelope: 4}).rss, 8)
  })

  it('does not extrapolate a curve outside the range it was fitted on', () => {
    const value = k.map((x, i) => background(x) + envelope(x) * ctf2[i])
    const model = fitSpectrumModel(k, value, k.map(() => 1), ctf2, {background: 6, envelope: 4})
    expect(evaluateCurve(model.background, 10)).toBe(evaluateCurve(model.background, model.background.kMax))
  })
})
