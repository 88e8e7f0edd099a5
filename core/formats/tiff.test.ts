import {execFileSync} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {decode as referenceDecode} from 'tiff'
import {describe, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {FormatError} from './errors.js'
import {lzwDecode, lzwEncode} from './lzw.js'
import {openMrc} from './mrc-read.js'
import {writeMrc} from './mrc-write.js'
import {decodeTiffMovie, encodeTiffMovie, openTiff, writeTiffMovie, type TiffBits, type TiffCompressionName} from './tiff.js'
import {tiffFileChunks, type PageToWrite} from './tiff-writer.js'
import {seededRandom, useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('tiff')
const W = 61
const H = 45

/** Frames whose first MRC row is marked (+1), so a missing or extra Y flip cannot go unseen. */
function movieFrames(bits: TiffBits, count: number, seed = 2): Float32Array[] {
  const random = seededRandom(seed)
  const sample = bits === 32 ? () => random() * 10 - 3 : () => Math.floor(random() * (bits === 8 ? 4 : 3000))
  return Array.from({length: count}, () => Float32Array.from({length: W * H}, (_, i) => sample() + (i < W ? 1 : 0)))
}

const asArrays = (frames: Float32Array[]) => frames.map((f) => Array.from(f))
const layouts = [8, 16, 32].flatMap((bits) => (['none', 'lzw', 'deflate'] as const).map((compression) => ({bits: bits as TiffBits, compression})))

describe('LZW codec', () => {
  it('round-trips data that crosses every code-width switch and several Clear codes', () => {
    const random = seededRandom(9)
    for (const make of [() => Math.floor(random() * 256), () => (random() < 0.1 ? 1 : 0), () => 7]) {
      const input = Uint8Array.from({length: 200_000}, make)
      const decoded = lzwDecode(lzwEncode(input), input.length)
      expect(Buffer.compare(decoded, input)).toBe(0) // toEqual on 200k elements is needlessly slow
    }
  })

  it('rejects a stream that decodes to more bytes than the strip holds', () => {
    const encoded = lzwEncode(new Uint8Array(100).fill(3))
    expect(() => lzwDecode(encoded, 50)).toThrow(/more than the expected 50 bytes/)
  })
})

describe('TIFF movies', () => {
  for (const {bits, compression} of layouts) {
    it(`${bits}-bit ${compression}: our reader and the reference decoder (image-js tiff) both read what we write`, async () => {
      const frames = movieFrames(bits, 3)
      const bytes = encodeTiffMovie(frames, {width: W, height: H, bitsPerSample: bits, compression, rowsPerStrip: 7})
      const ours = await decodeTiffMovie(bytes)
      expect([ours.width, ours.height]).toEqual([W, H])
      expect(asArrays(ours.frames)).toEqual(asArrays(frames))
      // The reference decoder returns TIFF row order: our MRC row y is its row H-1-y.
      const pages = referenceDecode(bytes)
      expect(pages).toHaveLength(3)
      pages.forEach((page, z) => {
        for (let y = 0; y < H; y++) {
          expect(Array.from(page.data.subarray((H - 1 - y) * W, (H - y) * W))).toEqual(Array.from(frames[z].subarray(y * W, (y + 1) * W)))
        }
      })
    })
  }

  it('openTiff reads a file frame by frame and writeTiffMovie writes the same bytes as encodeTiffMovie', async () => {
    const frames = movieFrames(8, 4)
    const opts = {width: W, height: H, bitsPerSample: 8 as const, compression: 'lzw' as const}
    await writeTiffMovie(tmp('m.tif'), frames, opts)
    expect(Buffer.compare(await readFile(tmp('m.tif')), Buffer.from(encodeTiffMovie(frames, opts)))).toBe(0)
    const reader = await openTiff(tmp('m.tif'))
    expect(reader.frameCount).toBe(4)
    expect(Array.from(await reader.readFrame(2))).toEqual(Array.from(frames[2]))
    await expect(reader.readFrame(4)).rejects.toMatchObject({code: 'out-of-range', file: tmp('m.tif')})
    await reader.close()
  })

  it('rejects integer samples that do not fit instead of wrapping', () => {
    const frame = new Float32Array(W * H).fill(256)
    expect(() => encodeTiffMovie([frame], {width: W, height: H, bitsPerSample: 8, compression: 'none'})).toThrow(/does not fit 8-bit/)
  })
})

describe('TIFF bad input gives a typed error naming the file', () => {
  const expectCode = async (path: string, code: FormatError['code']) => {
    const error = await openTiff(path).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(FormatError)
    expect(error).toMatchObject({code, file: path})
  }

  it('zero-byte, non-TIFF and truncated files', async () => {
    await writeFile(tmp('empty.tif'), new Uint8Array(0))
    await expectCode(tmp('empty.tif'), 'empty')
    await writeFile(tmp('text.tif'), 'not a tiff at all')
    await expectCode(tmp('text.tif'), 'not-format')
    const bytes = encodeTiffMovie(movieFrames(8, 3), {width: W, height: H, bitsPerSample: 8, compression: 'deflate'})
    await writeFile(tmp('cut.tif'), bytes.subarray(0, bytes.length - 20))
    await expectCode(tmp('cut.tif'), 'truncated')
  })

  it('a corrupt LZW strip', async () => {
    const bytes = encodeTiffMovie(movieFrames(8, 1), {width: W, height: H, bitsPerSample: 8, compression: 'lzw'})
    const broken = Uint8Array.from(bytes)
    broken.fill(0xff, 200, 260) // inside the strip data, after the 146-byte IFD
    await writeFile(tmp('corrupt.tif'), broken)
    const reader = await openTiff(tmp('corrupt.tif'))
    await expect(reader.readFrame(0)).rejects.toMatchObject({code: 'corrupt', file: tmp('corrupt.tif')})
    await reader.close()
  })

  it('NaN pixels in a float TIFF', async () => {
    const frames = movieFrames(32, 1)
    frames[0][10] = NaN
    // Encoding checks nothing for floats but the reader must refuse the NaN.
    await writeFile(tmp('nan.tif'), encodeTiffMovie(frames, {width: W, height: H, bitsPerSample: 32, compression: 'none'}))
    const reader = await openTiff(tmp('nan.tif'))
    await expect(reader.readFrame(0)).rejects.toMatchObject({code: 'non-finite', file: tmp('nan.tif')})
    await reader.close()
  })
})

describeWithTools({commands: ['relion_image_handler', 'relion_convert_to_tiff']}, 'RELION and our TIFF agree, Y flip included', () => {
  for (const compression of ['lzw', 'deflate', 'none'] as TiffCompressionName[]) {
    it(`RELION reads our ${compression} TIFF as the MRC we write from the same frames`, async () => {
      const frames = movieFrames(8, 2, 4)
      await writeTiffMovie(tmp(`ours-${compression}.tif`), frames, {width: W, height: H, bitsPerSample: 8, compression})
      execFileSync('relion_image_handler', ['--i', tmp(`ours-${compression}.tif`), '--o', tmp(`relion-${compression}.mrcs`)])
      const mrc = await openMrc(tmp(`relion-${compression}.mrcs`))
      expect(mrc.depth).toBe(2)
      for (let z = 0; z < 2; z++) expect(Array.from(await mrc.readSection(z))).toEqual(Array.from(frames[z]))
      await mrc.close()
    })
  }

  it('we read the TIFF relion_convert_to_tiff writes from our MRC as that MRC', async () => {
    const frames = movieFrames(8, 3, 6)
    await writeMrc(tmp('for-relion.mrc'), frames, {width: W, height: H})
    execFileSync('relion_convert_to_tiff', ['--i', tmp('for-relion.mrc'), '--o', tmp('converted/')], {cwd: tmp('')})
    const converted = join(tmp('converted'), tmp('for-relion.tif'))
    const reader = await openTiff(converted)
    expect(reader.frameCount).toBe(3)
    for (let z = 0; z < 3; z++) expect(Array.from(await reader.readFrame(z))).toEqual(Array.from(frames[z]))
    await reader.close()
  })
})

describe('TIFF layouts we do not decode are typed errors', () => {
  const page = (over: Partial<PageToWrite>): PageToWrite => ({
    width: 8,
    height: 4,
    bitsPerSample: 8,
    compression: 1,
    sampleFormat: 1,
    rowsPerStrip: 4,
    strips: [new Uint8Array(32)],
    ...over,
  })
  const fileOf = (p: PageToWrite) => Buffer.concat([...tiffFileChunks(1, () => p)])

  it('absurd dimensions (ImageWidth 2^31) without allocating', async () => {
    await writeFile(tmp('absurd.tif'), fileOf(page({width: 2 ** 31, height: 2 ** 20, strips: [new Uint8Array(2 ** 16)]})))
    await expect(openTiff(tmp('absurd.tif'))).rejects.toMatchObject({code: 'absurd-dimensions', file: tmp('absurd.tif')})
  })

  it('dimensions the strips cannot hold (16384^2 from a 32-byte LZW strip) without allocating', async () => {
    await writeFile(tmp('claims.tif'), fileOf(page({width: 16384, height: 16384, rowsPerStrip: 16384, compression: 5})))
    await expect(openTiff(tmp('claims.tif'))).rejects.toMatchObject({code: 'size-mismatch', file: tmp('claims.tif')})
  })

  it('12-bit samples and unknown compression', async () => {
    await writeFile(tmp('12bit.tif'), fileOf(page({bitsPerSample: 12})))
    await expect(openTiff(tmp('12bit.tif'))).rejects.toMatchObject({code: 'unknown-mode', problem: expect.stringMatching(/12-bit/)})
    await writeFile(tmp('jpeg.tif'), fileOf(page({compression: 7})))
    await expect(openTiff(tmp('jpeg.tif'))).rejects.toMatchObject({code: 'unknown-mode', problem: expect.stringMatching(/compression 7/)})
  })

  it('a strip table pointing past the end of the file', async () => {
    const bytes = fileOf(page({}))
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    view.setUint32(8 + 2 + 12 * 5 + 8, 10_000_000, true) // StripOffsets value
    await writeFile(tmp('offset.tif'), bytes)
    await expect(openTiff(tmp('offset.tif'))).rejects.toMatchObject({code: 'truncated', problem: expect.stringMatching(/strip 0/)})
  })
})
