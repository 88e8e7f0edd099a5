import {describe, expect, it} from 'vitest'
import {realFft2D} from '../../../core/numeric/fft.js'
import {alignSpectra} from './align-global.js'
import {alignedSum, locallyWarpedSum} from './aligned-sum.js'
import {alignPatches, patchBoxes} from './align-local.js'
import {alignmentSize, alignmentSpectrum, coarseSize} from './alignment-spectrum.js'
import {frameGroups} from './frame-groups.js'
import {evaluateModel} from './local-model.js'
import {locallyMovingMovie, syntheticMovie} from './test-support/synthetic-movie.js'

describe('patch layout', () => {
  it("follows RELION's: size / n per patch, odd sizes made even", () => {
    const boxes = patchBoxes({width: 101, height: 60}, 3, 2)
    // 101 / 3 = 33 per patch, each shortened to 32; the last column (99, 100) is in none.
    expect(boxes.map((b) => [b.x, b.width])).toEqual([[0, 32], [33, 32], [66, 32], [0, 32], [33, 32], [66, 32]])
    expect(boxes.every((b) => b.width % 2 === 0 && b.height % 2 === 0)).toBe(true)
    expect(boxes[3].y).toBe(30)
  })
})

describe('local alignment', () => {
  it('measures a smooth local deformation on top of the global drift', () => {
    const w = 384
    const frames = 12
    const global: [number, number][] = Array.from({length: frames}, (_, f) => [0.8 * f, -0.5 * f])
    // Doming: the field's corners move apart over time, up to ~2 px at the last frame.
    const local = (x: number, y: number, f: number): [number, number] => [(2 * (x / w - 0.5) * f) / (frames - 1), (-1.5 * (y / w - 0.5) * f) / (frames - 1)]
    const movie = locallyMovingMovie({width: w, height: w, global, local, counts: 6, contrast: 0.4, seed: 31})
    const bfactor = 150
    const fft = realFft2D(w, w)
    const fine = alignmentSize(w, w, bfactor)
    const coarse = coarseSize(w, w, bfactor)
    const small = movie.frames.map((f) => alignmentSpectrum(fft.forward(f), w, w, fine, bfactor))
    const sx = w / fine.width
    alignSpectra(small, fine.width, fine.height, {maxIterations: 10, tolerance: 0.01 / sx, searchRange: 20 / sx, coarseWidth: coarse.width, coarseHeight: coarse.height, smooth: true})
    const groups = frameGroups(frames, 1)
    const model = alignPatches(small, fine, groups, {width: w, height: w}, {patchesX: 3, patchesY: 3, maxIterations: 10, tolerance: 0.01, searchRange: 10, smoothTrajectory: true})!
    expect(model).toBeDefined()
    expect(model.patches.length).toBeGreaterThanOrEqual(7)
    // The model's residual shift undoes the local motion relative to the field's average.
    let err = 0
    let n = 0
    for (const [px, py] of [[64, 64], [320, 64], [192, 192], [64, 320], [320, 320]]) {
      const f = frames - 1
      const [lx, ly] = local(px, py, f)
      const [cx, cy] = local(w / 2, w / 2, f)
      const mx = evaluateModel(model.coeffX, px / w - 0.5, py / w - 0.5, f)
      const my = evaluateModel(model.coeffY, px / w - 0.5, py / w - 0.5, f)
      err += (mx + (lx - cx)) ** 2 + (my + (ly - cy)) ** 2
      n++
    }
    expect(Math.sqrt(err / n)).toBeLessThan(0.4)
  })

  it('sums with a zero local model exactly as the global sum', () => {
    const movie = syntheticMovie({width: 64, height: 48, motion: [[0, 0], [1.5, -0.5], [2.25, 1]], counts: 3, contrast: 0.3, seed: 2})
    const fft = realFft2D(64, 48)
    const input = {spectra: movie.frames.map((f) => fft.forward(f)), width: 64, height: 48, shifts: movie.motion.map(([x, y]) => [-x, -y] as [number, number]), outWidth: 64, outHeight: 48, plain: true}
    const a = alignedSum(input).plain!
    const b = locallyWarpedSum(input, {coeffX: new Array(18).fill(0), coeffY: new Array(18).fill(0), frameZ: [0, 1, 2]}).plain!
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 3)
  })
})
