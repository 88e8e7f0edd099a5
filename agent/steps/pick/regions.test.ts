import {describe, expect, it} from 'vitest'
import {createRng} from '../../../scripts/simulator/rng.js'
import {splitTwoClasses} from './regions.js'

describe('splitTwoClasses', () => {
  const rng = createRng(2, 'regions')

  it('splits two well-separated areas between them, with a large separation', () => {
    const v = Float32Array.from({length: 4000}, (_, i) => (i < 1500 ? 10 : 0) + 0.5 * rng.normal())
    const s = splitTwoClasses(v)
    expect(s.threshold).toBeGreaterThan(3)
    expect(s.threshold).toBeLessThan(7)
    expect(s.separation).toBeGreaterThan(10)
  })

  it('keeps unimodal maps, even a linear gradient, below the two-area separation', () => {
    const gauss = splitTwoClasses(Float32Array.from({length: 4000}, () => rng.normal()))
    const ramp = splitTwoClasses(Float32Array.from({length: 4000}, (_, i) => i / 4000))
    expect(gauss.separation).toBeLessThan(3)
    expect(ramp.separation).toBeLessThan(3.6)
    expect(splitTwoClasses(new Float32Array(10).fill(1)).separation).toBe(0)
  })
})
