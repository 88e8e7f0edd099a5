// Accuracy on simulator micrographs with ground truth (scripts/simulator), the ranges:
// pixel 0.6-1.5 A, defocus 0.5-3.5 um, astigmatism 0-3000 A, 0.5-2 e/A^2 per frame x 40 frames.
// The varied set uses 1536^2 micrographs: at 1024^2 (1/16 of a 4096^2 micrograph's spectrum
// samples) the worst low-dose, low-defocus draw was noise-limited near 1-2 % and the 95th
// percentile depended on the simulator's noise realisation. Errors here are still upper bounds
// (the benchmark measures 4096^2).
import {describe, expect, it} from 'vitest'
import {fixedMovieOptions} from '../../../scripts/simulator/test-support.js'
import {drawCtfCase, measureCase, summarise} from './accuracy-set.test-support.js'

describe('CTF accuracy on simulated micrographs', () => {
  it('meets the defocus and angle targets on a varied set', () => {
    const errors = Array.from({length: 12}, (_, i) => measureCase(drawCtfCase(100 + i, 1536)))
    const s = summarise(errors)
    expect(s.medianDefocusError).toBeLessThanOrEqual(0.2)
    expect(s.p95DefocusError).toBeLessThanOrEqual(1)
    expect(s.astigmaticCases).toBeGreaterThanOrEqual(3)
    expect(s.medianAngleError).toBeLessThanOrEqual(2)
  }, 120_000)

  it('reports a worse fit resolution as the envelope gets worse (B-factor series)', () => {
    const resolutions = [20, 80, 160, 300].map(
      (bFactor) => measureCase(fixedMovieOptions({width: 1024, height: 1024, frames: 40, defocusU: 16000, defocusV: 15000, defocusAngle: 20, bFactor, seed: 11})).estimate.resolution,
    )
    for (let i = 1; i < resolutions.length; i++) expect(resolutions[i]).toBeGreaterThan(resolutions[i - 1])
  }, 60_000)

  it('handles a non-square (K3-shaped) micrograph', () => {
    const e = measureCase(fixedMovieOptions({width: 1440, height: 1023, frames: 40, pixelSize: 0.83, defocusU: 21000, defocusV: 19000, defocusAngle: 65, bFactor: 60, seed: 13}))
    expect(e.meanDefocusError).toBeLessThan(0.5)
    expect(e.angleError).toBeLessThan(3)
  }, 60_000)

  it('finds a phase-plate phase shift', () => {
    const o = fixedMovieOptions({width: 1024, height: 1024, frames: 40, defocusU: 10500, defocusV: 10000, defocusAngle: -40, phaseShift: 70, bFactor: 60, seed: 12})
    const e = measureCase(o, {findPhaseShift: true})
    expect(Math.abs(e.estimate.phaseShift - 70)).toBeLessThan(5)
    expect(e.meanDefocusError).toBeLessThan(1)
  }, 60_000)
})
