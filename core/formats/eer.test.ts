import {execFileSync} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {
  decodeEer,
  decodeEerFrame,
  eerElectronsFromSuperResolution,
  encodeEer,
  encodeEerFrame,
  openEer,
  writeEer,
  type EerCompression,
  type EerElectrons,
} from './eer.js'
import {FormatError} from './errors.js'
import {openTiff} from './tiff.js'
import {seededRandom, useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('eer')

/** Distinct random electrons on a width x height sensor, in 16K super-resolution coordinates. */
function randomFrame(random: () => number, count: number, width: number, height: number): {electrons: EerElectrons; x: number[]; y: number[]} {
  const byPixel = new Map<number, [number, number]>()
  while (byPixel.size < count) {
    const x = Math.floor(random() * width * 4)
    const y = Math.floor(random() * height * 4)
    byPixel.set((y >> 2) * width + (x >> 2), [x, y])
  }
  const x = [...byPixel.values()].map((v) => v[0])
  const y = [...byPixel.values()].map((v) => v[1])
  return {electrons: eerElectronsFromSuperResolution(x, y, width), x, y}
}

/** The expected rendering, computed directly from the super-resolution coordinates. */
function renderExpected(frames: {x: number[]; y: number[]}[], width: number, upsampling: 1 | 2 | 4): Float32Array {
  const out = new Float32Array(width * upsampling * width * upsampling)
  const shift = 2 - Math.log2(upsampling)
  for (const f of frames) f.x.forEach((x, i) => (out[(f.y[i] >> shift) * width * upsampling + (x >> shift)] += 1))
  return out
}

describe('EER encode/decode', () => {
  for (const compression of [65000, 65001] as EerCompression[]) {
    it(`${compression}: a frame round-trips, including long gaps, pixel 0 and the last pixel`, () => {
      const positions = Uint32Array.from([0, 1, 254, 255, 510, 1000, 2000, 64 * 64 - 1])
      const subpixels = Uint8Array.from([0, 15, 10, 5, 3, 12, 1, 7])
      const decoded = decodeEerFrame(encodeEerFrame({positions, subpixels}, compression, 64, 64), compression, 64, 64)
      expect(Array.from(decoded.positions)).toEqual(Array.from(positions))
      expect(Array.from(decoded.subpixels)).toEqual(Array.from(subpixels))
    })

    for (const upsampling of [1, 2, 4] as const) {
      it(`${compression}: grouping 3 with upsampling ${upsampling} renders the electrons we put in`, async () => {
        const random = seededRandom(compression + upsampling)
        const frames = Array.from({length: 7}, () => randomFrame(random, 300, 64, 64))
        const eer = await decodeEer(encodeEer(frames.map((f) => f.electrons), {width: 64, height: 64, compression}), {grouping: 3, upsampling})
        expect([eer.frameCount, eer.hardwareFrameCount, eer.width]).toEqual([2, 7, 64 * upsampling]) // 7th frame dropped
        for (let i = 0; i < 2; i++) {
          expect(Array.from(await eer.readFrame(i))).toEqual(Array.from(renderExpected(frames.slice(3 * i, 3 * i + 3), 64, upsampling)))
        }
      })
    }
  }

  it('refuses two electrons on one pixel in a hardware frame', () => {
    const electrons = {positions: Uint32Array.from([5, 5]), subpixels: Uint8Array.from([0, 1])}
    expect(() => encodeEerFrame(electrons, 65001, 16, 16)).toThrow(/two electrons on pixel 5/)
  })

  it('a truncated frame stream is a typed error naming the file and frame', async () => {
    const random = seededRandom(4)
    const bytes = encodeEer([randomFrame(random, 200, 64, 64).electrons], {width: 64, height: 64})
    const path = tmp('cut-stream.eer')
    const cut = Uint8Array.from(bytes)
    // Shrink the strip byte count (the last IFD entry before SampleFormat) so the stream ends early.
    const view = new DataView(cut.buffer)
    const countField = 8 + 2 + 12 * 8 + 8
    view.setUint32(countField, view.getUint32(countField, true) - 40, true)
    await writeFile(path, cut)
    const eer = await openEer(path, {grouping: 1})
    const error = await eer.readFrame(0).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(FormatError)
    expect(error).toMatchObject({code: 'corrupt', file: path})
    expect((error as Error).message).toContain('hardware frame 0')
    await eer.close()
  })

  it('a plain TIFF is not an EER movie; grouping beyond the frame count is refused', async () => {
    const bytes = encodeEer([{positions: Uint32Array.from([3]), subpixels: Uint8Array.from([0])}], {width: 16, height: 16})
    await expect(decodeEer(bytes, {grouping: 2})).rejects.toMatchObject({code: 'out-of-range'})
  })
})

describeWithTools({commands: ['relion_convert_to_tiff']}, 'RELION 3.1 renders our EER movies as we do', () => {
  // 8K frames are 67 M pixels: one rendered frame there keeps the test short.
  const cases: {compression: EerCompression; upsampling: 1 | 2; hardwareFrames: number}[] = [
    {compression: 65000, upsampling: 1, hardwareFrames: 4},
    {compression: 65001, upsampling: 1, hardwareFrames: 4},
    {compression: 65001, upsampling: 2, hardwareFrames: 2},
  ]
  for (const {compression, upsampling, hardwareFrames} of cases) {
    it(`compression ${compression}, upsampling ${upsampling}, grouping 2: relion_convert_to_tiff's frames equal ours`, async () => {
      const random = seededRandom(compression * 10 + upsampling)
      const frames = Array.from({length: hardwareFrames}, () => randomFrame(random, 2000, 4096, 4096))
      const path = tmp(`relion-${compression}-${upsampling}.eer`)
      await writeEer(path, frames.map((f) => f.electrons), {compression})
      const outDir = tmp(`relion-${compression}-${upsampling}/`)
      execFileSync('relion_convert_to_tiff', ['--i', path, '--o', outDir, '--eer_grouping', '2', '--eer_upsampling', String(upsampling), '--short'], {
        stdio: 'ignore',
      })
      const relion = await openTiff(join(outDir, path.replace(/\.eer$/, '.tif')))
      const ours = await openEer(path, {grouping: 2, upsampling})
      expect(relion.frameCount).toBe(ours.frameCount)
      for (let i = 0; i < ours.frameCount; i++) {
        const [a, b] = [await relion.readFrame(i), await ours.readFrame(i)]
        let differing = 0
        let sum = 0
        for (let p = 0; p < a.length; p++) {
          if (a[p] !== b[p]) differing++
          sum += b[p]
        }
        expect(sum).toBe(4000) // 2 hardware frames x 2000 electrons
        expect(differing).toBe(0) // same pixels: no flip between RELION's EER rendering and ours
      }
      await Promise.all([relion.close(), ours.close()])
    })
  }
})
