// MotionCor2 / MotionCor3 adapter against the fake MotionCor2 (fixtures/external/bin), written
// from MotionCor2's documented command line and outputs; the log parser also against the
// documented output samples in fixtures/external/samples.
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {readMrcHeader} from '../../../core/formats/mrc-read.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {accumulatedMotion} from '../motion/accumulated-motion.js'
import {defaultMotionOptions, type MotionOptions} from '../motion/options.js'
import {ExternalProgramError} from './errors.js'
import {correctMotionWithMotionCor, eerFractionFile, motionCorArgs} from './motioncor2.js'
import {parseMotionCorStdout, parsePatchFullLog} from './motioncor2-log.js'
import {readMotionStar} from './motion-star-read.js'
import {defaultExternalSettings} from './settings.js'
import {FORMAT_SAMPLES, fake, scratch} from './test-support.js'

let dir: string
const options: MotionOptions = {...defaultMotionOptions, pixelSize: 0.8, voltage: 300, dosePerFrame: 1.5, doseWeighting: true, saveNoDoseWeighting: true}
const settings = {...defaultExternalSettings, executable: fake('MotionCor2'), gpuIds: [2, 3], timeoutSeconds: 20}
const shifts: [number, number][] = [[0, 0], [1.25, -0.5], [2.5, -1.75], [3, -2], [3.5, -2.25], [3.75, -2.5]]

beforeAll(async () => {
  dir = await scratch('motioncor2')
  await writeMrc(join(dir, '-mov.mrc'), Array.from({length: 6}, (_, f) => new Float32Array(32 * 32).fill(f + 1)), {width: 32, height: 32, pixelSize: 0.8})
  await writeMrc(join(dir, 'gain.mrc'), [new Float32Array(32 * 32).fill(1)], {width: 32, height: 32})
})
afterEach(() => {
  for (const name of ['FAKE_MC2_SHIFTS', 'FAKE_MC2_STYLE', 'FAKE_MC2_FAIL', 'FAKE_MC2_ARGV']) delete process.env[name]
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describe('MotionCor2 adapter', () => {
  it('drives MotionCor2 with the documented options and maps its shifts and sums', async () => {
    process.env.FAKE_MC2_SHIFTS = JSON.stringify(shifts)
    process.env.FAKE_MC2_ARGV = join(dir, 'argv.json')
    const o = {...options, gainReference: join(dir, 'gain.mrc'), gainRotation: 1 as const, gainFlip: 2 as const, patchesX: 5, patchesY: 5}
    const result = await correctMotionWithMotionCor(join(dir, '-mov.mrc'), join(dir, 'out'), o, settings)
    const argv = JSON.parse(await readFile(process.env.FAKE_MC2_ARGV, 'utf8')) as string[]
    const after = (flag: string, n = 1) => argv.slice(argv.indexOf(flag) + 1, argv.indexOf(flag) + 1 + n)
    expect(after('-InMrc')).toEqual(['input.mrc'])
    expect(after('-Gain')).toEqual([join(dir, 'gain.mrc')])
    expect([after('-RotGain'), after('-FlipGain')]).toEqual([['1'], ['2']])
    expect(after('-Patch', 2)).toEqual(['5', '5'])
    expect(after('-Gpu', 2)).toEqual(['2', '3'])
    expect(after('-FmDose')).toEqual(['1.5'])
    expect(after('-PixSize')).toEqual(['0.8'])

    expect(result.shifts).toEqual(shifts)
    const expected = accumulatedMotion(shifts, [1, 2, 3, 4, 5, 6], 1.5, 0)
    expect([result.totalMotion, result.earlyMotion, result.lateMotion]).toEqual([expected.total, expected.early, expected.late])
    expect(result.micrograph).toBe(join(dir, 'out', '-mov.mrc'))
    expect((await readMrcHeader(result.micrograph)).nx).toBe(32)
    expect(result.micrographNoDW).toBe(join(dir, 'out', '-mov_noDW.mrc'))
    expect(readMotionStar(await readFile(result.starFile!, 'utf8'), 'star', 'test').shifts).toEqual(shifts)
    expect(result.provenance).toMatchObject({program: 'MotionCor2', version: '1.6.4'})
  })

  it.each(['table', 'log-only'])('reads the shifts when MotionCor2 prints them as "%s"', async (style) => {
    process.env.FAKE_MC2_SHIFTS = JSON.stringify(shifts)
    process.env.FAKE_MC2_STYLE = style
    const result = await correctMotionWithMotionCor(join(dir, '-mov.mrc'), join(dir, style), options, settings)
    expect(result.shifts).toEqual(shifts)
  })

  it('runs MotionCor3 with the same command line', async () => {
    const result = await correctMotionWithMotionCor(join(dir, '-mov.mrc'), join(dir, 'mc3'), {...options, doseWeighting: false}, {...settings, executable: fake('MotionCor3')}, 'motioncor3')
    expect(result.provenance).toMatchObject({program: 'MotionCor3', version: '1.0.1'})
    expect(result.micrographNoDW).toBeUndefined()
    expect(result.shifts).toHaveLength(6)
  })

  it.each([
    ['exit', 'exit', /GPU memory allocation failed/],
    ['crash', 'signal', /SIGSEGV/],
    ['no-output', 'missing-output', /aligned_DW\.mrc/],
    ['no-shifts', 'unparseable', /Full-frame alignment shift/],
  ] as const)('fails clearly when MotionCor2 does "%s"', async (mode, kind, message) => {
    process.env.FAKE_MC2_FAIL = mode
    const error = await correctMotionWithMotionCor(join(dir, '-mov.mrc'), join(dir, mode), options, settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalProgramError)
    expect((error as ExternalProgramError).failure).toBe(kind)
    expect(`${(error as Error).message}`).toMatch(message)
  })

  it('chooses the input option by format and maps the frame range, binning and EER fractions', () => {
    const shape = {width: 4096, height: 4096, frames: 400}
    const tiff = motionCorArgs('input.tiff', {...options, firstFrame: 3, lastFrame: 38, binning: 2}, settings, {...shape, frames: 40})
    expect(tiff.slice(0, 2)).toEqual(['-InTiff', 'input.tiff'])
    expect(tiff.join(' ')).toContain('-FtBin 2')
    expect(tiff.join(' ')).toContain('-Throw 2 -Trunc 2')
    const eer = motionCorArgs('input.eer', {...options, eerGrouping: 20, eerUpsampling: 2}, settings, shape)
    expect(eer.slice(0, 2)).toEqual(['-InEer', 'input.eer'])
    expect(eer.join(' ')).toContain('-EerSampling 2 -FmIntFile fmint.txt')
    expect(eer).not.toContain('-FmDose')
    expect(eerFractionFile({...options, eerGrouping: 20, dosePerFrame: 1.5}, 400)).toBe('400 20 0.075\n')
    expect(() => motionCorArgs('input.dm4', options, settings, shape)).toThrow(/movie format/)
  })
})

describe('MotionCor2 output parsing (documented samples)', () => {
  it('reads the classic and the 1.6.4 tabular stdout and the -Patch-Full.log', async () => {
    const classic = parseMotionCorStdout(await readFile(join(FORMAT_SAMPLES, 'motioncor2-stdout-classic.txt'), 'utf8'))
    const table = parseMotionCorStdout(await readFile(join(FORMAT_SAMPLES, 'motioncor2-stdout-1.6.4.txt'), 'utf8'))
    const log = parsePatchFullLog(await readFile(join(FORMAT_SAMPLES, 'motioncor2-0-Patch-Full.log'), 'utf8'), 'sample')
    expect(classic).toEqual([[0, 0], [-0.67, 1.07], [-1.21, 2.03], [-1.6, 2.88]])
    expect(table).toEqual(classic)
    expect(log).toEqual(classic)
    expect(parseMotionCorStdout('no table here')).toBeUndefined()
  })
})
