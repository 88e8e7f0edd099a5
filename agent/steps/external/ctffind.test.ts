// CTFFIND adapter against the fake CTFFIND (fixtures/external/bin/ctffind), which checks the
// answers arrive in the documented order and writes the documented files.
import {readFile, rm, symlink} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, afterEach, describe, expect, it} from 'vitest'
import {defaultCtfOptions, type CtfOptions} from '../ctf/options.js'
import {estimateCtfWithCtffind} from './ctffind.js'
import {ExternalProgramError} from './errors.js'
import {defaultExternalSettings} from './settings.js'
import {fake, scratch, tinyMicrograph} from './test-support.js'

let dir: string
let micrograph: string
const options: CtfOptions = {...defaultCtfOptions, pixelSize: 1.1, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1}
const settings = {...defaultExternalSettings, executable: fake('ctffind'), timeoutSeconds: 20}
const env = ['FAKE_CTFFIND_VERSION', 'FAKE_CTFFIND_RESULT', 'FAKE_CTFFIND_FAIL', 'FAKE_CTFFIND_ANSWERS']

beforeAll(async () => {
  dir = await scratch('ctffind')
  // A name that would read as an option if it reached the program's argv or stdin as is.
  micrograph = await tinyMicrograph(join(dir, '-mic_001.mrc'))
})
afterEach(() => {
  for (const name of env) delete process.env[name]
})
afterAll(() => rm(dir, {recursive: true, force: true}))

async function failure(promise: Promise<unknown>): Promise<ExternalProgramError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ExternalProgramError)
  return error as ExternalProgramError
}

describe('CTFFIND adapter', () => {
  it('answers CTFFIND 4 in the documented order and maps the result to our conventions', async () => {
    process.env.FAKE_CTFFIND_ANSWERS = join(dir, 'answers4.txt')
    // V > U and an angle outside (-90, 90]: we swap and rotate; phase shift in radians -> degrees.
    process.env.FAKE_CTFFIND_RESULT = '18000.5 22000.25 120 1.5707963 0.21 4.25'
    const result = await estimateCtfWithCtffind(micrograph, join(dir, 'v4'), {...options, findPhaseShift: true, minPhaseShift: 0, maxPhaseShift: 180, phaseShiftStep: 10}, settings)
    expect(result.defocusU).toBe(22000.25)
    expect(result.defocusV).toBe(18000.5)
    expect(result.defocusAngle).toBeCloseTo(30, 10)
    expect(result.phaseShift).toBeCloseTo(90, 4)
    expect(result.resolution).toBe(4.25)
    expect(result.figureOfMerit).toBe(0.21)
    expect(result.profile?.frequency).toHaveLength(8)
    expect(result.profile?.spectrum[1]).toBeCloseTo(1, 6) // the astigmatism-aware average (line 3)
    const answers = (await readFile(process.env.FAKE_CTFFIND_ANSWERS, 'utf8')).trim().split('\n')
    expect(answers[0]).toBe('input.mrc')
    expect(answers.slice(2, 12).map(Number)).toEqual([1.1, 300, 2.7, 0.1, 512, 30, 5, 5000, 50000, 100])
    expect(answers.slice(-5)).toEqual(['yes', expect.any(String), expect.any(String), expect.any(String), 'no'])
    expect(answers.slice(-4, -1).map(Number)).toEqual([0, Math.PI, Math.PI / 18].map((r) => expect.closeTo(r, 9)))
    expect(result.provenance.program).toBe('ctffind')
    expect(result.provenance.version).toBe('4.1.14')
    expect(result.provenance.argv[0]).toBe(fake('ctffind'))
    expect(result.provenance.stdin).toEqual(answers)
  })

  it('asks the CTFFIND 5 questions (tilt, thickness) and reads its 10-column line', async () => {
    process.env.FAKE_CTFFIND_VERSION = '5.0.2'
    process.env.FAKE_CTFFIND_ANSWERS = join(dir, 'answers5.txt')
    // Another executable path: versions are asked once per executable.
    await symlink(fake('ctffind'), join(dir, 'ctffind5'))
    const result = await estimateCtfWithCtffind(micrograph, join(dir, 'v5'), options, {...settings, executable: join(dir, 'ctffind5')})
    const answers = (await readFile(process.env.FAKE_CTFFIND_ANSWERS, 'utf8')).trim().split('\n')
    expect(answers.slice(-4)).toEqual(['no', 'no', 'no', 'no']) // phase shift?, tilt?, thickness?, expert?
    expect(result.defocusU).toBe(21000)
    expect(result.provenance.version).toBe('5.0.2')
  })

  it('reads "inf" (no rings fit) as the low-resolution end with a warning', async () => {
    process.env.FAKE_CTFFIND_RESULT = '21000 19000 30 0 0.01 inf'
    const result = await estimateCtfWithCtffind(micrograph, join(dir, 'inf'), options, settings)
    expect(result.resolution).toBe(options.minResolution)
    expect(result.warnings?.[0]).toMatch(/no Thon rings/)
  })

  it.each([
    ['exit', 'exit', /exit status 3/],
    ['crash', 'signal', /SIGSEGV/],
    ['no-output', 'missing-output', /diagnostic\.txt/],
    ['garbage', 'unparseable', /expected a data line/],
  ] as const)('fails clearly when CTFFIND %s', async (mode, kind, message) => {
    process.env.FAKE_CTFFIND_FAIL = mode
    const error = await failure(estimateCtfWithCtffind(micrograph, join(dir, mode), options, settings))
    expect(error.failure).toBe(kind)
    expect(error.message).toMatch(message)
    if (mode === 'exit') expect(error.stderrTail).toMatch(/something went wrong inside CTFFIND/)
  })

  it('kills a run that passes its timeout', async () => {
    process.env.FAKE_CTFFIND_FAIL = 'hang'
    const error = await failure(estimateCtfWithCtffind(micrograph, join(dir, 'hang'), options, {...settings, timeoutSeconds: 1}))
    expect(error.failure).toBe('timeout')
  })

  it('says which executable it could not find', async () => {
    const error = await failure(estimateCtfWithCtffind(micrograph, join(dir, 'none'), options, {...settings, executable: join(dir, 'no-such-ctffind')}))
    expect(error.failure).toBe('not-found')
    expect(error.message).toMatch(/no-such-ctffind/)
  })
})
