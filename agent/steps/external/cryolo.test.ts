// crYOLO adapter against the fake cryolo_predict.py (fixtures/external/bin) and a documented
// CBOX sample: box corners become centres, confidences become scores, best first.
import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {parseCoordinateStar} from '../pick/coords-star.js'
import {defaultPickOptions, type PickOptions} from '../pick/options.js'
import {cryoloArgs, parseCbox, pickParticlesWithCryolo, type CryoloSettings} from './cryolo.js'
import {ExternalProgramError} from './errors.js'
import {defaultExternalSettings} from './settings.js'
import {FORMAT_SAMPLES, fake, scratch, tinyMicrograph} from './test-support.js'

let dir: string
let settings: CryoloSettings
const options: PickOptions = {...defaultPickOptions, pixelSize: 1}

beforeAll(async () => {
  dir = await scratch('cryolo')
  await tinyMicrograph(join(dir, 'mic_0007.mrc'), 512)
  await writeFile(join(dir, 'config.json'), '{"model": {"architecture": "PhosaurusNet", "input_size": 1024}}\n')
  await writeFile(join(dir, 'gmodel.h5'), '')
  settings = {...defaultExternalSettings, executable: fake('cryolo_predict.py'), gpuIds: [1, 2], timeoutSeconds: 20, config: join(dir, 'config.json'), weights: join(dir, 'gmodel.h5'), threshold: 0.3}
})
afterEach(() => {
  for (const name of ['FAKE_CRYOLO_PICKS', 'FAKE_CRYOLO_STYLE', 'FAKE_CRYOLO_FAIL']) delete process.env[name]
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describe('crYOLO adapter', () => {
  it('reads box centres and confidences from the CBOX, best first, and writes our coordinate STAR', async () => {
    process.env.FAKE_CRYOLO_PICKS = JSON.stringify([[100, 120, 0.6], [300, 200, 0.9], [50, 400, 0.1]])
    const result = await pickParticlesWithCryolo(join(dir, 'mic_0007.mrc'), join(dir, 'cbox'), options, settings)
    expect(result.coordinates).toEqual([[300, 200], [100, 120]])
    expect(result.scores).toEqual([0.9, 0.6])
    expect(parseCoordinateStar(await readFile(result.coordinatesFile, 'utf8')).map((r) => [r.x, r.y])).toEqual(result.coordinates)
    expect(result.coordinatesFile).toMatch(/mic_0007_autopick\.star$/)
    expect(result.provenance.argv.slice(-3)).toEqual(['-g', '1', '2'])
  })

  it('falls back to the STAR output (no confidences) and keeps at most maxPicks', async () => {
    process.env.FAKE_CRYOLO_STYLE = 'star-only'
    const result = await pickParticlesWithCryolo(join(dir, 'mic_0007.mrc'), join(dir, 'star'), {...options, maxPicks: 1}, settings)
    expect(result.count).toBe(1)
    expect(result.coordinates[0]).toEqual([100, 120])
  })

  it.each([
    ['exit', 'exit', /ResourceExhaustedError/],
    ['no-output', 'missing-output', /CBOX/],
  ] as const)('fails clearly when crYOLO does "%s"', async (mode, kind, message) => {
    process.env.FAKE_CRYOLO_FAIL = mode
    const error = await pickParticlesWithCryolo(join(dir, 'mic_0007.mrc'), join(dir, mode), options, settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalProgramError)
    expect((error as ExternalProgramError).failure).toBe(kind)
    expect((error as Error).message).toMatch(message)
  })

  it('reads the documented CBOX sample', async () => {
    const rows = parseCbox(await readFile(join(FORMAT_SAMPLES, 'cryolo-1.8.cbox'), 'utf8'), 'sample')
    expect(rows).toEqual([{x: 100, y: 120, figureOfMerit: 0.91}, {x: 300, y: 200, figureOfMerit: 0.55}])
    expect(cryoloArgs({...settings, gpuIds: []})).not.toContain('-g')
  })
})
