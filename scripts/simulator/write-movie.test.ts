// Written movies read back (core/formats/movie.ts, RELION's orientation) as exactly the
// simulated frames, so the truth's coordinates hold for every format.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openMovie} from '../../core/formats/movie.js'
import {openMrc} from '../../core/formats/mrc-read.js'
import {prepareMovie, simulateMovie, type SimulatedMovie} from './movie.js'
import {createRng, type Rng} from './rng.js'
import {fixedMovieOptions} from './test-support.js'
import {encodeMovie, encodePreparedMovie, writeGainReference, writeMovie, type MovieEncoding} from './write-movie.js'

let dir = ''
let movie: SimulatedMovie
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emstream-sim-write-'))
  movie = simulateMovie(fixedMovieOptions({width: 512, height: 512, frames: 4, pixelSize: 1.3}))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function readBack(path: string, eerGrouping?: number): Promise<Float32Array[]> {
  const reader = await openMovie(path, {eerGrouping})
  try {
    expect([reader.width, reader.height, reader.frameCount]).toEqual([512, 512, 4])
    return await Promise.all(Array.from({length: reader.frameCount}, (_, i) => reader.readFrame(i)))
  } finally {
    await reader.close()
  }
}

/** Number of differing values (deep equality on 262k-element arrays is too slow in vitest). */
function differences(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let n = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++
  return n
}

describe('writeMovie', () => {
  for (const encoding of [{format: 'mrc', mrcMode: 0}, {format: 'mrc', mrcMode: 1}, {format: 'mrc', mrcMode: 2}, {format: 'mrc', mrcMode: 6}, {format: 'tiff'}] as MovieEncoding[]) {
    it(`round-trips counts through ${encoding.format}${encoding.mrcMode ?? ''}`, async () => {
      const path = join(dir, `m-${encoding.format}${encoding.mrcMode ?? ''}`)
      await writeMovie(path, movie, encoding)
      const frames = await readBack(path)
      // Mode 0 saturates at 127 (hot pixels); everything else is exact.
      const expected = encoding.mrcMode === 0 ? movie.frames.map((f) => f.map((v) => Math.min(v, 127))) : movie.frames
      frames.forEach((f, i) => expect(differences(f, expected[i])).toBe(0))
    })
  }

  it('counts a prepared movie frame by frame into the same file bytes as encoding all its frames', () => {
    const o = fixedMovieOptions({width: 96, height: 80, frames: 3})
    for (const encoding of [{format: 'mrc', mrcMode: 0}, {format: 'mrc', mrcMode: 1}, {format: 'mrc', mrcMode: 2}, {format: 'mrc', mrcMode: 6}, {format: 'tiff'}] as MovieEncoding[]) {
      const parts = encodePreparedMovie(prepareMovie(o), encoding)
      expect(Buffer.compare(Buffer.concat(parts), encodeMovie(simulateMovie(o), encoding))).toBe(0)
    }
    // EER: rendered frames split one at a time while the file is laid out; same splitting draws.
    const eer = (rng: Rng): MovieEncoding => ({format: 'eer', eerGrouping: 5, rng})
    const streamed = Buffer.concat(encodePreparedMovie(prepareMovie(o), eer(createRng(3, 'eer'))))
    expect(Buffer.compare(streamed, encodeMovie(simulateMovie(o), eer(createRng(3, 'eer'))))).toBe(0)
  })

  it('records the pixel size and dose per frame in the MRC header', async () => {
    const path = join(dir, 'm-meta.mrc')
    await writeMovie(path, movie, 'mrc')
    const reader = await openMovie(path)
    expect(reader.pixelSize).toBeCloseTo(1.3, 4)
    expect(reader.dosePerFrame).toBeCloseTo(1.0, 4)
    await reader.close()
  })

  it('writes EER whose grouped hardware frames sum to the simulated frames', async () => {
    const path = join(dir, 'm.eer')
    await writeMovie(path, movie, {format: 'eer', eerGrouping: 16})
    const frames = await readBack(path, 16)
    // One electron per pixel per hardware frame at most: counts above the grouping saturate.
    frames.forEach((f, i) => expect(differences(f, movie.frames[i].map((v) => Math.min(v, 16)))).toBe(0))
  })

  it('writes the gain reference as a float MRC', async () => {
    const path = join(dir, 'gain.mrc')
    await writeGainReference(path, movie.gain, 512, 512, 1.3)
    const mrc = await openMrc(path)
    expect(mrc.header.mode).toBe(2)
    expect(differences(await mrc.readSection(0), movie.gain)).toBe(0)
    await mrc.close()
  })
})
