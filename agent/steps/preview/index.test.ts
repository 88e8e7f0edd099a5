import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {decode} from 'fast-png'
import {afterAll, describe, expect, it} from 'vitest'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import type {CtfResult, MotionResult} from '../../../core/results/index.js'
import {createRng} from '../../../scripts/simulator/rng.js'
import {makePreviews, PreviewOptionsError} from './index.js'

describe('makePreviews', () => {
  const dirs: string[] = []
  afterAll(() => Promise.all(dirs.map((d) => rm(d, {recursive: true, force: true}))))
  const rng = createRng(9, 'preview')
  const w = 1100
  const h = 900
  const data = new Float32Array(w * h)
  for (let i = 0; i < data.length; i++) data[i] = 50 + rng.normal()
  const ctf: CtfResult = {defocusU: 15000, defocusV: 14000, defocusAngle: 10, phaseShift: 0, resolution: 4, figureOfMerit: 0.4}
  const motion = {shifts: [[0, 0], [-2, 1]]} as MotionResult

  it('writes a binned micrograph PNG and a PSD PNG, and returns the drift', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'preview-'))
    dirs.push(dir)
    const mic = join(dir, 'mic_001.mrc')
    await writeMrc(mic, [data], {width: w, height: h, pixelSize: 1.1})
    const result = await makePreviews({micrograph: mic, ctf, motion}, join(dir, 'out'), {maxWidth: 512, psdBox: 256})
    expect(result.micrographPreview).toBe(join(dir, 'out', 'mic_001_preview.png'))
    const png = decode(await readFile(result.micrographPreview))
    expect([png.width, png.height, png.channels]).toEqual([366, 300, 1])
    const psd = decode(await readFile(result.psdPreview!))
    expect([psd.width, psd.height]).toEqual([256, 256])
    expect(result.trajectory).toEqual([[0, 0], [2, -1]])
  })

  it("uses the CTF step's diagnostic MRC when there is one", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'preview-'))
    dirs.push(dir)
    const mic = join(dir, 'mic.mrc')
    const diag = join(dir, 'mic_diag.mrc')
    await writeMrc(mic, [data], {width: w, height: h, pixelSize: 1.1})
    await writeMrc(diag, [Float32Array.from({length: 64 * 64}, (_, i) => i % 64)], {width: 64, height: 64})
    const result = await makePreviews({micrograph: mic, ctf: {...ctf, psdImage: diag}}, dir)
    const psd = decode(await readFile(result.psdPreview!))
    expect([psd.width, psd.height]).toEqual([64, 64])
    expect(psd.data[63]).toBeGreaterThan(psd.data[0])
    expect(result.trajectory).toBeUndefined()
  })

  it('asks for the pixel size when the micrograph records none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'preview-'))
    dirs.push(dir)
    const mic = join(dir, 'nopix.mrc')
    await writeMrc(mic, [data], {width: w, height: h})
    await expect(makePreviews({micrograph: mic}, dir)).rejects.toThrow(PreviewOptionsError)
  })
})
