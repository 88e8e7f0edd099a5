// Files from independent writers (python3-mrcfile, RELION 3.1.3); see fixtures/formats/README.md.
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {openMovie} from './movie.js'
import {openMrc} from './mrc-read.js'
import {blockLoop, findBlock, loopRecords, numberColumn, readStar} from './star.js'

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/formats/${name}`, import.meta.url))
const [W, H] = [9, 7]
const expectedSection = (z: number, scale = 1) => Array.from({length: W * H}, (_, i) => scale * (((i % W) + 3 * Math.floor(i / W) + 7 * z) % 11))

describe('fixtures from other writers', () => {
  for (const [name, mode] of [
    ['mrcfile-int16-big-endian.mrc', 1],
    ['mrcfile-float16.mrc', 12],
    ['mrcfile-uint16.mrc', 6],
  ] as const) {
    it(`${name} (mode ${mode}) reads as the documented pattern`, async () => {
      const mrc = await openMrc(fixture(name))
      expect([mrc.header.mode, mrc.width, mrc.height, mrc.depth]).toEqual([mode, W, H, 2])
      expect(mrc.pixelSize).toBeCloseTo(1.5, 6)
      for (let z = 0; z < 2; z++) expect(Array.from(await mrc.readSection(z))).toEqual(expectedSection(z))
      await mrc.close()
    })
  }

  it('the RELION-written MRC stack holds the pattern x 2', async () => {
    const mrc = await openMrc(fixture('relion-image-handler-x2.mrcs'))
    for (let z = 0; z < 2; z++) expect(Array.from(await mrc.readSection(z))).toEqual(expectedSection(z, 2))
    await mrc.close()
  })

  it('the RELION-written TIFF reads, Y-flipped, as the MRC it came from', async () => {
    const movie = await openMovie(fixture('relion-convert-to-tiff.tif'))
    expect([movie.format, movie.width, movie.height, movie.frameCount]).toEqual(['tiff', W, H, 2])
    for (let z = 0; z < 2; z++) expect(Array.from(await movie.readFrame(z))).toEqual(expectedSection(z))
    await movie.close()
  })

  it('the RELION-written STAR file parses: optics and micrographs with a quoted name', async () => {
    const star = await readStar(fixture('relion-star-handler.star'))
    expect(numberColumn(blockLoop(findBlock(star, 'optics')!)!, 'rlnMicrographPixelSize')).toEqual([0.885])
    const mics = blockLoop(findBlock(star, 'micrographs')!)!
    expect(loopRecords(mics).map((r) => r.rlnMicrographName)).toEqual(['Movies/mic 1.mrc', 'Movies/mic_2.mrc'])
    expect(numberColumn(mics, 'rlnDefocusU')).toEqual([20001, 42000])
  })
})
