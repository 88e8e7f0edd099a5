// Frames written as they are counted: the finished file is byte for byte the file of all frames
// encoded at once (header statistics included, defect pixels too), and while it is written, or
// if it is cut short, its header says the statistics are not determined yet.
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {decodeMrcHeader} from '../../core/formats/mrc-header.js'
import {countedMrcLength, writeCountedMrc} from './counted-mrc-write.js'
import {drawGainReference} from './gain.js'
import {prepareMovie, simulateMovie} from './movie.js'
import {createRng} from './rng.js'
import {fixedMovieOptions} from './test-support.js'
import {encodeMovie, type MrcMovieMode} from './write-movie.js'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emstream-sim-counted-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

// Enough hot and dead pixels that the tallies must follow the defects they overwrite.
const gain = drawGainReference(createRng(5), 160, 128, {pixelSpread: 0.04, columnSpread: 0.02, hotFraction: 2e-3, deadFraction: 2e-3, hotRate: 30})
const options = fixedMovieOptions({width: 160, height: 128, frames: 3, gain})

describe('writeCountedMrc', () => {
  for (const mode of [0, 1, 2, 6] as MrcMovieMode[]) {
    it(`writes mode ${mode} exactly as encoding all frames at once, with and without direct I/O`, async () => {
      const expected = encodeMovie(simulateMovie(options), {format: 'mrc', mrcMode: mode})
      expect(countedMrcLength(prepareMovie(options), mode)).toBe(expected.length)
      for (const directIo of [true, false]) {
        const path = join(dir, `whole-${mode}-${directIo}.mrc`)
        const handle = await writeCountedMrc(path, prepareMovie(options), mode, {duration: 0, directIo})
        expect(handle).toBeUndefined()
        expect(Buffer.compare(await readFile(path), expected)).toBe(0)
      }
    })
  }

  it('leaves a cut-short file with its first header: final dimensions, statistics not determined', async () => {
    const path = join(dir, 'cut.mrc')
    const whole = countedMrcLength(prepareMovie(options), 1)
    const stopAt = Math.floor(whole * 0.6)
    const handle = await writeCountedMrc(path, prepareMovie(options), 1, {duration: 0.2, stopAt, keepOpen: true})
    expect(handle).toBeDefined()
    await handle!.close()
    expect((await stat(path)).size).toBe(stopAt)
    const header = decodeMrcHeader((await readFile(path)).subarray(0, 1024), path)
    expect([header.nx, header.ny, header.nz, header.mode]).toEqual([160, 128, 3, 1])
    expect(header.dmax).toBeLessThan(header.dmin)
    expect(header.dmean).toBeLessThan(Math.min(header.dmin, header.dmax))
    expect(header.rms).toBeLessThan(0)
  })

  it('garbles every header it writes when asked (the corrupt-header fault)', async () => {
    const path = join(dir, 'garbled.mrc')
    const garble = (preamble: Uint8Array) => {
      const out = preamble.slice()
      out.fill(0xff, 0, 12)
      return out
    }
    await writeCountedMrc(path, prepareMovie(options), 1, {duration: 0, garbleHeader: garble})
    const bytes = await readFile(path)
    const expected = encodeMovie(simulateMovie(options), {format: 'mrc', mrcMode: 1})
    expect(Array.from(bytes.subarray(0, 12))).toEqual(Array(12).fill(0xff))
    expect(Buffer.compare(bytes.subarray(12), expected.subarray(12))).toBe(0)
  })
})
