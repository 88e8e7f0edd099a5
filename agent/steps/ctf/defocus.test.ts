import {describe, expect, it} from 'vitest'
import {chi, ctfTerms} from '../../../core/ctf/ctf-model.js'
import {chiAt, fromCtffindConvention, opticsCoefficients, toCtffindConvention} from './defocus.js'

const optics = {voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.07}

describe('defocus parametrisation', () => {
  it('evaluates the same chi as the shared CTF model at any azimuth', () => {
    const p = {...optics, defocusU: 21000, defocusV: 18000, defocusAngle: 35, phaseShift: 40}
    const c = opticsCoefficients(optics)
    const s = fromCtffindConvention(p.defocusU, p.defocusV, p.defocusAngle, p.phaseShift)
    for (const [k, az] of [[0.05, 0.3], [0.21, -1.2], [0.33, 2.5]]) {
      expect(chiAt(c, s, k * k, Math.cos(2 * az), Math.sin(2 * az))).toBeCloseTo(chi(ctfTerms(p), k, az), 9)
    }
  })

  it('converts to U >= V and an angle in (-90, 90], whatever the components', () => {
    for (const angle of [-89, -45, 0, 30, 90]) {
      const back = toCtffindConvention(fromCtffindConvention(20000, 17000, angle))
      expect(back.defocusU).toBeCloseTo(20000, 6)
      expect(back.defocusV).toBeCloseTo(17000, 6)
      expect(back.defocusAngle).toBeCloseTo(angle, 6)
    }
    // Swapped axes describe the same CTF: V > U at angle a is U at a + 90.
    const swapped = toCtffindConvention(fromCtffindConvention(17000, 20000, 10))
    expect(swapped.defocusU).toBeCloseTo(20000, 6)
    expect(swapped.defocusAngle).toBeCloseTo(-80, 6)
  })

  it('folds the phase shift into [0, 180): CTF^2 cannot tell phi from phi + 180', () => {
    expect(toCtffindConvention({mean: 1e4, cos2: 0, sin2: 0, phaseShift: (200 * Math.PI) / 180}).phaseShift).toBeCloseTo(20, 9)
  })
})
