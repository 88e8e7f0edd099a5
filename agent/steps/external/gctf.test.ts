// Gctf adapter against the fake Gctf (fixtures/external/bin/Gctf) and a documented log sample.
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {defaultCtfOptions, type CtfOptions} from '../ctf/options.js'
import {ExternalProgramError} from './errors.js'
import {estimateCtfWithGctf, gctfArgs, parseGctfLog} from './gctf.js'
import {defaultExternalSettings} from './settings.js'
import {FORMAT_SAMPLES, fake, scratch, tinyMicrograph} from './test-support.js'

let dir: string
const options: CtfOptions = {...defaultCtfOptions, pixelSize: 1.05, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1}
const settings = {...defaultExternalSettings, executable: fake('Gctf'), gpuIds: [3], timeoutSeconds: 20}

beforeAll(async () => {
  dir = await scratch('gctf')
  await tinyMicrograph(join(dir, '--mic.mrc'))
})
afterEach(() => {
  delete process.env.FAKE_GCTF_RESULT
  delete process.env.FAKE_GCTF_FAIL
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describe('Gctf adapter', () => {
  it('runs Gctf on the granted GPU, micrograph last, and reads its STAR in our conventions', async () => {
    process.env.FAKE_GCTF_RESULT = '19500 21000 120 45 0.2 3.5'
    const result = await estimateCtfWithGctf(join(dir, '--mic.mrc'), join(dir, 'star'), {...options, findPhaseShift: true}, settings)
    expect([result.defocusU, result.defocusV, result.defocusAngle]).toEqual([21000, 19500, expect.closeTo(30, 9)])
    expect([result.phaseShift, result.resolution, result.figureOfMerit]).toEqual([45, 3.5, 0.2])
    const argv = result.provenance.argv
    expect(argv[argv.indexOf('--gid') + 1]).toBe('3')
    expect(argv[argv.length - 1]).toBe('input.mrc')
    expect(result.provenance.version).toBe('1.06')
  })

  it('falls back to the log when there is no STAR', async () => {
    process.env.FAKE_GCTF_FAIL = 'no-star'
    const result = await estimateCtfWithGctf(join(dir, '--mic.mrc'), join(dir, 'log'), options, settings)
    expect([result.defocusU, result.defocusV, result.defocusAngle, result.resolution, result.figureOfMerit]).toEqual([21000.5, 19500.25, expect.closeTo(30.12, 9), 3.456, 0.123456])
  })

  it.each([
    ['exit', 'exit', /no CUDA-capable device/],
    ['no-output', 'missing-output', /input_gctf\.log/],
  ] as const)('fails clearly when Gctf does "%s"', async (mode, kind, message) => {
    process.env.FAKE_GCTF_FAIL = mode
    const error = await estimateCtfWithGctf(join(dir, '--mic.mrc'), join(dir, mode), options, settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalProgramError)
    expect((error as ExternalProgramError).failure).toBe(kind)
    expect((error as Error).message).toMatch(message)
  })

  it('reads the documented log sample, with phase shift in degrees', async () => {
    const raw = parseGctfLog(await readFile(join(FORMAT_SAMPLES, 'gctf.log'), 'utf8'), 'gctf.log', true)
    expect(raw).toEqual({defocusU: 19500.25, defocusV: 21000.5, angle: 120.12, phaseShiftDegrees: 45, figureOfMerit: 0.123456, resolution: 3.456})
    expect(() => parseGctfLog('nothing', 'x.log', false)).toThrow(/Final Values/)
    expect(gctfArgs('input.mrc', options, {...settings, gpuIds: []})).toContain('--gid')
  })
})
