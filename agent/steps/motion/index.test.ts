import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {encodeMrc, writeMrc} from '../../../core/formats/mrc-write.js'
import {correctMotion, MotionError} from './index.js'
import {orientGain} from './gain.js'
import {decayingDrift, mulberry32, syntheticMovie} from './test-support/synthetic-movie.js'

const W = 256
const H = 192
const motion = decayingDrift(10, [6, -4], 0.2, 9)
const movie = syntheticMovie({width: W, height: H, motion, counts: 2, contrast: 0.3, seed: 21})
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motion-'))
  await writeMrc(join(dir, 'movie.mrc'), movie.frames, {width: W, height: H, pixelSize: 1.1})
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

function rmsError(shifts: [number, number][]): number {
  return Math.sqrt(shifts.reduce((a, [x, y], f) => a + (x + motion[f][0]) ** 2 + (y + motion[f][1]) ** 2, 0) / shifts.length)
}

describe('correctMotion', () => {
  it('writes the aligned dose-weighted sum, the plain sum and a RELION-style STAR', async () => {
    const r = await correctMotion(join(dir, 'movie.mrc'), join(dir, 'out'), {dosePerFrame: 1.2, saveNoDoseWeighting: true})
    expect(r.frames).toBe(10)
    expect(r.pixelSize).toBeCloseTo(1.1, 5)
    expect(r.shifts[0]).toEqual([0, 0])
    expect(rmsError(r.shifts)).toBeLessThan(0.25)
    expect(r.totalMotion).toBeGreaterThan(r.earlyMotion)
    expect(r.totalMotion).toBeCloseTo(r.earlyMotion + r.lateMotion, 10)
    const dw = await readMrcImage(r.micrograph)
    expect([dw.image.width, dw.image.height]).toEqual([W, H])
    expect(dw.pixelSize).toBeCloseTo(1.1, 4)
    // The plain sum keeps the total counts: its mean is the frames' total mean.
    const plain = await readMrcImage(r.micrographNoDW!)
    const mean = plain.image.data.reduce((a, v) => a + v, 0) / (W * H)
    const frameMeans = movie.frames.reduce((a, f) => a + f.reduce((b, v) => b + v, 0) / (W * H), 0)
    expect(mean).toBeCloseTo(frameMeans, 2)
    const star = await readFile(r.starFile!, 'utf8')
    expect(star).toContain('data_global_shift')
    expect(star).toMatch(/_rlnMicrographShiftX #2/)
    const rows = star.split('data_global_shift')[1].trim().split('\n').filter((l) => /^\s*\d+\s/.test(l))
    expect(rows).toHaveLength(10)
    expect(Number(rows[4].trim().split(/\s+/)[1])).toBeCloseTo(r.shifts[4][0], 5)
  })

  it('gives the same result with worker threads', async () => {
    const one = await correctMotion(join(dir, 'movie.mrc'), join(dir, 't1'), {dosePerFrame: 1.2})
    const two = await correctMotion(join(dir, 'movie.mrc'), join(dir, 't2'), {dosePerFrame: 1.2, threads: 2})
    two.shifts.forEach(([x, y], f) => {
      expect(x).toBeCloseTo(one.shifts[f][0], 4)
      expect(y).toBeCloseTo(one.shifts[f][1], 4)
    })
    const a = (await readMrcImage(one.micrograph)).image.data
    const b = (await readMrcImage(two.micrograph)).image.data
    for (let i = 0; i < a.length; i += 97) expect(b[i]).toBeCloseTo(a[i], 3)
  })

  it('aligns frame groups and interpolates per-frame shifts; aligns a two-frame movie', async () => {
    const grouped = await correctMotion(join(dir, 'movie.mrc'), join(dir, 'groups'), {dosePerFrame: 1, groupFrames: 2})
    expect(grouped.shifts).toHaveLength(10)
    expect(rmsError(grouped.shifts)).toBeLessThan(0.5)
    const two = await correctMotion(join(dir, 'movie.mrc'), join(dir, 'two'), {dosePerFrame: 1, lastFrame: 2})
    expect(Math.hypot(two.shifts[1][0] + motion[1][0], two.shifts[1][1] + motion[1][1])).toBeLessThan(0.5)
  })

  it('bins by Fourier cropping and sums only the requested frames', async () => {
    const r = await correctMotion(join(dir, 'movie.mrc'), join(dir, 'binned'), {dosePerFrame: 1, binning: 2, firstFrame: 3, lastFrame: 9})
    expect(r.frames).toBe(7)
    expect(r.pixelSize).toBeCloseTo(2.2, 5)
    const img = await readMrcImage(r.micrograph)
    expect([img.image.width, img.image.height]).toEqual([W / 2, H / 2])
    // Shifts are relative to frame 3 and in input pixels.
    const rel = r.shifts.map(([x, y], i) => [x, y, -(motion[i + 2][0] - motion[2][0]), -(motion[i + 2][1] - motion[2][1])])
    for (const [x, y, tx, ty] of rel) expect(Math.hypot(x - tx, y - ty)).toBeLessThan(0.5)
  })

  it('applies an oriented gain reference, and warns when its orientation looks wrong', async () => {
    const rand = mulberry32(5)
    const gain = Float32Array.from({length: W * H}, () => 0.8 + 0.4 * rand())
    // Raw frames as a camera records them: counts / gain.
    const raw = movie.frames.map((f) => Float32Array.from(f, (v, i) => v / gain[i]))
    await writeMrc(join(dir, 'raw.mrc'), raw, {width: W, height: H, pixelSize: 1.1})
    // Stored rotated: RELION's rotation 1 brings it back.
    const stored = orientGain({width: W, height: H, data: gain}, 3, 0)
    await writeMrc(join(dir, 'gain.mrc'), [stored.data], {width: stored.width, height: stored.height})
    const good = await correctMotion(join(dir, 'raw.mrc'), join(dir, 'gain-ok'), {dosePerFrame: 1, gainReference: join(dir, 'gain.mrc'), gainRotation: 1})
    expect(good.warnings).toBeUndefined()
    expect(rmsError(good.shifts)).toBeLessThan(0.25)
    // Rotation 3 also fits the size but is the wrong way round.
    const wrong = await correctMotion(join(dir, 'raw.mrc'), join(dir, 'gain-wrong'), {dosePerFrame: 1, gainReference: join(dir, 'gain.mrc'), gainRotation: 3})
    expect(wrong.warnings?.join('\n')).toMatch(/looks wrongly oriented: rotation 1, flip 0/)
  })
})

describe('correctMotion on bad input', () => {
  const expectMotionError = async (p: Promise<unknown>, code: string, message: RegExp) => {
    const e = await p.then(() => undefined, (err: unknown) => err)
    expect(e).toBeInstanceOf(MotionError)
    expect((e as MotionError).code).toBe(code)
    expect((e as Error).message).toMatch(message)
  }

  it('rejects a movie with one frame', async () => {
    await writeMrc(join(dir, 'one.mrc'), [movie.frames[0]], {width: W, height: H})
    await expectMotionError(correctMotion(join(dir, 'one.mrc'), join(dir, 'x'), {dosePerFrame: 1, pixelSize: 1}), 'too-few-frames', /1 frame/)
  })

  it('rejects an all-zero frame, naming it', async () => {
    const frames = movie.frames.slice(0, 4)
    frames[2] = new Float32Array(W * H)
    await writeMrc(join(dir, 'zero.mrc'), frames, {width: W, height: H})
    await expectMotionError(correctMotion(join(dir, 'zero.mrc'), join(dir, 'x'), {dosePerFrame: 1, pixelSize: 1}), 'empty-frame', /frame 3 is all zeros/)
  })

  it('rejects NaN pixels, naming the frame', async () => {
    const bytes = encodeMrc(movie.frames.slice(0, 3), {width: W, height: H})
    bytes.writeFloatLE(NaN, bytes.length - 4 * W * H * 2 + 4 * 17)
    await writeFile(join(dir, 'nan.mrc'), bytes)
    const e = await correctMotion(join(dir, 'nan.mrc'), join(dir, 'x'), {dosePerFrame: 1, pixelSize: 1}).catch((err: Error) => err)
    expect(e).toBeInstanceOf(Error)
    expect((e as Error).message).toMatch(/NaN/)
    expect((e as Error).message).toMatch(/section 1|frame 2/)
  })

  it('rejects a gain reference of the wrong size and says which rotation would fit', async () => {
    await writeMrc(join(dir, 'gain-t.mrc'), [new Float32Array(W * H).fill(1)], {width: H, height: W})
    await expectMotionError(
      correctMotion(join(dir, 'movie.mrc'), join(dir, 'x'), {dosePerFrame: 1, gainReference: join(dir, 'gain-t.mrc')}),
      'gain-size',
      /192x256.*256x192.*gainRotation to 1 or 3/,
    )
  })

  it('asks for the dose when neither the options nor the header give it', async () => {
    await expectMotionError(correctMotion(join(dir, 'movie.mrc'), join(dir, 'x'), {}), 'missing-parameter', /dosePerFrame/)
  })
})
