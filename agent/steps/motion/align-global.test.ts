import {describe, expect, it} from 'vitest'
import {realFft2D} from '../../../core/numeric/fft.js'
import {applyBFactor} from '../../../core/numeric/filters.js'
import {fourierShift} from '../../../core/numeric/fourier-shift.js'
import {alignSpectra, newtonStep} from './align-global.js'
import {alignmentSize, alignmentSpectrum, coarseSize} from './alignment-spectrum.js'
import {decayingDrift, specimen, syntheticMovie} from './test-support/synthetic-movie.js'

function rmsError(shifts: [number, number][], motion: [number, number][]): number {
  // Shifts undo the motion: shift = -motion.
  return Math.sqrt(shifts.reduce((a, [x, y], f) => a + (x + motion[f][0]) ** 2 + (y + motion[f][1]) ** 2, 0) / shifts.length)
}

function align(frames: Float32Array[], width: number, height: number, bfactor = 150) {
  const fft = realFft2D(width, height)
  const fine = alignmentSize(width, height, bfactor)
  const coarse = coarseSize(width, height, bfactor)
  const spectra = frames.map((f) => alignmentSpectrum(fft.forward(f), width, height, fine, bfactor))
  const sx = width / fine.width
  const r = alignSpectra(spectra, fine.width, fine.height, {maxIterations: 10, tolerance: 0.005 / sx, searchRange: 40 / sx, coarseWidth: coarse.width, coarseHeight: coarse.height, smooth: false})
  return {...r, shifts: r.shifts.map(([x, y]) => [x * sx, (y * height) / fine.height] as [number, number])}
}

describe('global alignment', () => {
  it('converges by Newton steps to the exact sub-pixel shift of a noise-free pair', () => {
    const w = 64
    const a = realFft2D(w, w).forward(specimen(w, w, 11))
    applyBFactor(a, w, w, 20)
    const b = a.slice()
    fourierShift(b, w, w, 0.6, -0.35)
    let total: [number, number] = [0, 0]
    for (let i = 0; i < 6; i++) {
      // reference = a + b, so "the others" of b is a.
      const ref = Float32Array.from(a, (v, k) => v + b[k])
      const {dx, dy} = newtonStep(ref, b, w, w)!
      fourierShift(b, w, w, dx, dy)
      total = [total[0] + dx, total[1] + dy]
    }
    expect(total[0]).toBeCloseTo(-0.6, 4)
    expect(total[1]).toBeCloseTo(0.35, 4)
  })

  it('recovers the drift of a 1 e/px-per-frame movie to well under 0.25 px RMS', () => {
    const motion = decayingDrift(12, [9, -6], 0.3, 2)
    const movie = syntheticMovie({width: 256, height: 256, motion, counts: 1, contrast: 0.3, seed: 4})
    const r = align(movie.frames, 256, 256)
    expect(r.converged).toBe(true)
    expect(r.shifts[0]).toEqual([0, 0])
    expect(rmsError(r.shifts, motion)).toBeLessThan(0.15)
  })

  it('finds large shifts (coarse search) on a non-square movie', () => {
    const motion: [number, number][] = Array.from({length: 8}, (_, f) => [2.5 * f, -1.7 * f])
    const movie = syntheticMovie({width: 320, height: 192, motion, counts: 4, contrast: 0.3, seed: 5})
    const r = align(movie.frames, 320, 192)
    expect(rmsError(r.shifts, motion)).toBeLessThan(0.1)
  })
})
