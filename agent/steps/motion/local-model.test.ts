import {describe, expect, it} from 'vitest'
import {evaluateModel, fitLocalModel, LOCAL_MODEL_TERMS, modelTerms} from './local-model.js'

describe("RELION's third-order polynomial motion model", () => {
  it('orders terms as RELION: {1, x, x^2, y, y^2, xy} x {z, z^2, z^3}', () => {
    const t = modelTerms(0.2, -0.3, 2)
    expect(t[0]).toBeCloseTo(2, 12) // z
    expect(t[5]).toBeCloseTo(0.2 * 8, 12) // x z^3
    expect(t[15]).toBeCloseTo(0.2 * -0.3 * 2, 12) // xy z
    expect(evaluateModel(new Array(18).fill(1), 0.1, 0.1, 0)).toBe(0) // nothing moves at z = 0
  })

  it('recovers the coefficients of a sampled model (5x5 patches, 16 frames)', () => {
    const coeffX = Array.from({length: LOCAL_MODEL_TERMS}, (_, i) => Math.sin(i + 1) * 0.1)
    const coeffY = Array.from({length: LOCAL_MODEL_TERMS}, (_, i) => Math.cos(i * 2) * 0.05)
    const obs = []
    for (let py = 0; py < 5; py++) {
      for (let px = 0; px < 5; px++) {
        for (let z = 0; z < 16; z++) {
          const x = (px + 0.5) / 5 - 0.5
          const y = (py + 0.5) / 5 - 0.5
          obs.push({x, y, z, shiftX: evaluateModel(coeffX, x, y, z), shiftY: evaluateModel(coeffY, x, y, z)})
        }
      }
    }
    const fit = fitLocalModel(obs)!
    expect(fit.rmsX).toBeLessThan(1e-4)
    // Compare the fields, not the (correlated) coefficients.
    for (const [x, y, z] of [[0.1, -0.2, 7], [-0.4, 0.4, 15]]) {
      expect(evaluateModel(fit.coeffX, x, y, z)).toBeCloseTo(evaluateModel(coeffX, x, y, z), 4)
      expect(evaluateModel(fit.coeffY, x, y, z)).toBeCloseTo(evaluateModel(coeffY, x, y, z), 4)
    }
  })

  it('refuses to fit fewer observations than terms', () => {
    expect(fitLocalModel([{x: 0, y: 0, z: 1, shiftX: 1, shiftY: 1}])).toBeNull()
  })
})
