// relion_run_ctffind adapter: the real RELION 3.1 driving the fake CTFFIND (fixtures/external,
// which checks RELION's answers arrive in CTFFIND's documented order). The adapter must give
// the numbers of the same RELION command run by hand, in our conventions.
import {execFileSync} from 'node:child_process'
import {mkdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest'
import {normalizeAstigmatism} from '../../../core/ctf/ctf-model.js'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../../core/formats/star.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {defaultCtfOptions, type CtfOptions} from '../ctf/options.js'
import {ExternalProgramError} from './errors.js'
import {estimateCtfWithRelionCtffind} from './relion-ctffind.js'
import {micrographsStar} from './relion-input-star.js'
import {defaultExternalSettings} from './settings.js'
import {fake, scratch, tinyMicrograph} from './test-support.js'

let dir: string
const options: CtfOptions = {...defaultCtfOptions, pixelSize: 1.2, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1, defocusStep: 500, maxAstigmatism: 1000}
const settings = {...defaultExternalSettings, ctffindExecutable: fake('ctffind'), timeoutSeconds: 60}

beforeAll(async () => {
  dir = await scratch('relion-ctffind')
  await tinyMicrograph(join(dir, 'mic_0001.mrc'), 64, 1.2)
})
afterEach(() => {
  delete process.env.FAKE_CTFFIND_RESULT
  delete process.env.FAKE_CTFFIND_FAIL
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describeWithTools({commands: ['relion_run_ctffind', 'csh']}, 'relion_run_ctffind adapter (real RELION 3.1, fake CTFFIND)', () => {
  it('gives the numbers of the same RELION command run by hand, in our conventions', async () => {
    // V > U, an angle outside (-90, 90] and a phase shift (radians in CTFFIND's file).
    process.env.FAKE_CTFFIND_RESULT = '18000 22000 120 0.5 0.15 4.75'
    const o = {...options, findPhaseShift: true}
    const result = await estimateCtfWithRelionCtffind(join(dir, 'mic_0001.mrc'), join(dir, 'adapter'), o, settings)

    const byHand = join(dir, 'by-hand')
    await mkdir(byHand)
    await symlink(join(dir, 'mic_0001.mrc'), join(byHand, 'mic.mrc'))
    await writeFile(join(byHand, 'mics.star'), micrographsStar('mic.mrc', 1.2, o))
    execFileSync(
      'relion_run_ctffind',
      ['--i', 'mics.star', '--o', 'out/', '--ctffind_exe', fake('ctffind'), '--is_ctffind4', '--CS', '2.7', '--HT', '300', '--AmpCnst', '0.1', '--angpix', '1.2', '--Box', '512',
        '--ResMin', '30', '--ResMax', '5', '--dFMin', '5000', '--dFMax', '50000', '--FStep', '500', '--dAst', '1000', '--do_phaseshift', '--phase_min', '0', '--phase_max', '180', '--phase_step', '10'],
      {cwd: byHand, stdio: 'ignore'},
    )
    const row = loopRecords(blockLoop(findBlock(parseStar(await readFile(join(byHand, 'out/micrographs_ctf.star'), 'utf8')), 'micrographs')!)!)[0]
    const theirs = normalizeAstigmatism(Number(row.rlnDefocusU), Number(row.rlnDefocusV), Number(row.rlnDefocusAngle))
    expect([result.defocusU, result.defocusV]).toEqual([theirs.defocusU, theirs.defocusV])
    expect(result.defocusAngle).toBeCloseTo(theirs.defocusAngle, 10)
    expect(result.phaseShift).toBeCloseTo(Number(row.rlnPhaseShift), 6)
    expect([result.resolution, result.figureOfMerit]).toEqual([Number(row.rlnCtfMaxResolution), Number(row.rlnCtfFigureOfMerit)])
    // Our conventions: U >= V, angle in (-90, 90], phase shift in degrees.
    expect([result.defocusU, result.defocusV, result.defocusAngle]).toEqual([22000, 18000, expect.closeTo(30, 6)])
    expect(result.phaseShift).toBeCloseTo((0.5 * 180) / Math.PI, 3)
    expect(result.profile?.frequency).toHaveLength(8)
    expect(result.provenance.ctffind).toEqual({path: fake('ctffind'), version: '4.1.14'})
  })

  it.each([
    ['no-output', 'missing-output', /no CTF values for .*mic_0001\.mrc/],
    ['garbage', 'exit', /Unexpected number of words on data line below Columns line/],
  ] as const)('fails clearly when CTFFIND gives %s', async (mode, kind, message) => {
    process.env.FAKE_CTFFIND_FAIL = mode
    const error = await estimateCtfWithRelionCtffind(join(dir, 'mic_0001.mrc'), join(dir, mode), options, settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalProgramError)
    expect((error as ExternalProgramError).failure).toBe(kind)
    expect((error as ExternalProgramError).message).toMatch(message)
  })
})
