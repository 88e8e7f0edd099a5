import {open, truncate, writeFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {checkComplete} from './completeness.js'
import {encodeEer, eerElectronsFromSuperResolution} from './eer.js'
import {encodeMrcHeader} from './mrc-header.js'
import {decodeMrc} from './mrc-read.js'
import {encodeMrc} from './mrc-write.js'
import {encodeTiffMovie} from './tiff.js'
import {useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('complete')
const W = 40
const H = 30
const frames = Array.from({length: 3}, (_, z) => Float32Array.from({length: W * H}, (_, i) => (i + z) % 5))

/** Completeness of every prefix length in `cuts`, then of the whole file. */
async function prefixes(name: string, bytes: Uint8Array, cuts: number[]): Promise<boolean[]> {
  const path = tmp(name)
  const results: boolean[] = []
  for (const cut of [...cuts, bytes.length]) {
    await writeFile(path, bytes.subarray(0, cut))
    results.push((await checkComplete(path)).complete)
  }
  return results
}

describe('checkComplete', () => {
  it('MRC: complete only when the size equals 1024 + NSYMBT + nx*ny*nz*bytes', async () => {
    const bytes = encodeMrc(frames, {width: W, height: H, dosePerFrame: 1}) // with an extended header
    const results = await prefixes('grow.mrc', bytes, [0, 500, 1024, 1024 + 3 * 768, bytes.length - 1])
    expect(results).toEqual([false, false, false, false, false, true])
    await writeFile(tmp('grow.mrc'), Buffer.concat([bytes, Buffer.alloc(4)]))
    expect(await checkComplete(tmp('grow.mrc'))).toMatchObject({complete: false, reason: expect.stringMatching(/more than/)})
  })

  it('MRC: a 5.4 GB header-implied movie is judged from its header alone', async () => {
    // Sparse file: the size is right but no data were written; reading pixels would take minutes.
    const header = decodeMrc(encodeMrc([new Float32Array(4)], {width: 2, height: 2})).header
    const big = encodeMrcHeader({...header, nx: 5760, ny: 4092, nz: 57})
    const path = tmp('sparse.mrc')
    await writeFile(path, big)
    const implied = 1024 + 5760 * 4092 * 57 * 4
    await truncate(path, implied)
    expect(await checkComplete(path)).toEqual({complete: true})
    await truncate(path, implied - 1)
    expect((await checkComplete(path)).reason).toBe(`${implied - 1} of ${implied} bytes the header implies`)
  })

  it('TIFF: incomplete until every IFD and strip is inside the file', async () => {
    const bytes = encodeTiffMovie(frames, {width: W, height: H, bitsPerSample: 8, compression: 'lzw'})
    const cuts = [4, 8, 60, Math.floor(bytes.length / 2), bytes.length - 1]
    expect(await prefixes('grow.tif', bytes, cuts)).toEqual([false, false, false, false, false, true])
  })

  it('EER: incomplete until the last frame is inside the file', async () => {
    const electrons = [0, 1, 2].map((k) => eerElectronsFromSuperResolution([4 * k, 9], [0, 33], 16))
    const bytes = encodeEer(electrons, {width: 16, height: 16})
    expect(await prefixes('grow.eer', bytes, [10, bytes.length - 3])).toEqual([false, false, true])
  })

  it('missing and non-movie files are reported, not thrown', async () => {
    expect(await checkComplete(tmp('does-not-exist.mrc'))).toMatchObject({complete: false, reason: expect.stringMatching(/cannot open/)})
    await writeFile(tmp('text.mrc'), 'hello '.repeat(300))
    expect((await checkComplete(tmp('text.mrc'))).complete).toBe(false)
    const handle = await open(tmp('zero.tif'), 'w')
    await handle.close()
    expect(await checkComplete(tmp('zero.tif'))).toEqual({complete: false, reason: 'empty file'})
  })
})
