import {copyFile, writeFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {eerElectronsFromSuperResolution, writeEer} from './eer.js'
import {FormatError} from './errors.js'
import {detectMovieFormat, openMovie} from './movie.js'
import {writeMrc} from './mrc-write.js'
import {writeTiffMovie} from './tiff.js'
import {useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('movie')
const W = 24
const H = 18
const frames = Array.from({length: 3}, (_, z) => Float32Array.from({length: W * H}, (_, i) => ((i % W) * 2 + Math.floor(i / W) * 5 + z) % 7))

describe('openMovie', () => {
  it('MRC and TIFF of the same frames read the same, with MRC header metadata', async () => {
    await writeMrc(tmp('m.mrc'), frames, {width: W, height: H, pixelSize: 0.83, dosePerFrame: 1.2, mode: 6})
    await writeTiffMovie(tmp('m.tif'), frames, {width: W, height: H, bitsPerSample: 8, compression: 'lzw'})
    const [mrc, tiff] = [await openMovie(tmp('m.mrc')), await openMovie(tmp('m.tif'))]
    expect([mrc.format, tiff.format]).toEqual(['mrc', 'tiff'])
    expect(mrc.pixelSize).toBeCloseTo(0.83, 5)
    expect(mrc.dosePerFrame).toBeCloseTo(1.2, 5)
    expect(tiff.pixelSize).toBeUndefined()
    for (const movie of [mrc, tiff]) {
      expect([movie.width, movie.height, movie.frameCount]).toEqual([W, H, 3])
      for (let z = 0; z < 3; z++) expect(Array.from(await movie.readFrame(z))).toEqual(Array.from(frames[z]))
      await movie.close()
    }
  })

  it('tells formats by content, not name, and passes EER grouping and upsampling on', async () => {
    const electrons = Array.from({length: 4}, (_, k) => eerElectronsFromSuperResolution([k, 40 + k], [3, 50], 16))
    await writeEer(tmp('m.eer'), electrons, {width: 16, height: 16})
    await copyFile(tmp('m.eer'), tmp('eer-named.tif'))
    expect(await detectMovieFormat(tmp('eer-named.tif'))).toBe('eer')
    const movie = await openMovie(tmp('eer-named.tif'), {eerGrouping: 2, eerUpsampling: 2})
    expect([movie.format, movie.width, movie.height, movie.frameCount]).toEqual(['eer', 32, 32, 2])
    const frame = await movie.readFrame(1)
    expect(frame.reduce((a, b) => a + b, 0)).toBe(4) // hardware frames 2 and 3, two electrons each
    expect(frame[(50 >> 1) * 32 + (42 >> 1)]).toBe(2) // x = 42 and 43 at 16K share 8K column 21
    await movie.close()
  })

  it('an empty file is a typed error', async () => {
    await writeFile(tmp('empty.tif'), '')
    await expect(openMovie(tmp('empty.tif'))).rejects.toBeInstanceOf(FormatError)
  })
})
