// The same movie as MRC, as an LZW TIFF and as EER gives the same alignment: frames reach motion
// correction in MRC orientation (TIFF Y-flipped, EER in file order, as RELION reads them).
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {writeTiffMovie} from '../../../core/formats/tiff.js'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {correctMotion} from './index.js'
import {decayingDrift, syntheticMovie} from './test-support/synthetic-movie.js'
import {simulateMovie, writeMovie} from '../../../scripts/simulator/index.js'
import {fixedMovieOptions} from '../../../scripts/simulator/test-support.js'

const W = 256
const H = 192
const motion = decayingDrift(10, [5, 3], 0.2, 9)
const movie = syntheticMovie({width: W, height: H, motion, counts: 2, contrast: 0.3, seed: 5})
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motion-formats-'))
  await writeMrc(join(dir, 'movie.mrc'), movie.frames, {width: W, height: H, pixelSize: 1})
  await writeTiffMovie(join(dir, 'movie.tif'), movie.frames, {width: W, height: H, bitsPerSample: 8, compression: 'lzw'})
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('correctMotion input formats', () => {
  it('aligns an LZW TIFF movie exactly as the same movie in MRC', async () => {
    const options = {dosePerFrame: 1, pixelSize: 1}
    const mrc = await correctMotion(join(dir, 'movie.mrc'), join(dir, 'from-mrc'), options)
    const tif = await correctMotion(join(dir, 'movie.tif'), join(dir, 'from-tif'), options)
    expect(tif.frames).toBe(10)
    tif.shifts.forEach(([x, y], f) => {
      expect(x).toBeCloseTo(mrc.shifts[f][0], 4)
      expect(y).toBeCloseTo(mrc.shifts[f][1], 4)
      // RELION's sign: the shift applied is minus the motion.
      expect(Math.hypot(x + motion[f][0], y + motion[f][1])).toBeLessThan(0.5)
    })
    const a = (await readMrcImage(mrc.micrograph)).image.data
    const b = (await readMrcImage(tif.micrograph)).image.data
    let maxDiff = 0
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]))
    expect(maxDiff).toBeLessThan(1e-3)
  })

  it('aligns an EER movie (frames grouped from hardware frames) as the same movie in MRC', async () => {
    const sim = simulateMovie(fixedMovieOptions({frames: 8, seed: 11}))
    await writeMovie(join(dir, 'sim.mrc'), sim, 'mrc')
    await writeMovie(join(dir, 'sim.eer'), sim, {format: 'eer', eerGrouping: 16})
    const options = {dosePerFrame: 1, pixelSize: 1, eerGrouping: 16}
    const mrc = await correctMotion(join(dir, 'sim.mrc'), join(dir, 'sim-mrc'), options)
    const eer = await correctMotion(join(dir, 'sim.eer'), join(dir, 'sim-eer'), options)
    expect(eer.frames).toBe(8)
    eer.shifts.forEach(([x, y], f) => {
      expect(Math.abs(x - mrc.shifts[f][0])).toBeLessThan(0.05)
      expect(Math.abs(y - mrc.shifts[f][1])).toBeLessThan(0.05)
    })
    // The drift is large enough that a flipped orientation would show as an opposite y sign.
    expect(Math.max(...sim.truth.shifts.map(([, y]) => Math.abs(y)))).toBeGreaterThan(0.5)
  })
})
