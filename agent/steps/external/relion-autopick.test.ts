// relion_autopick --LoG adapter against RELION 3.1 itself: same picks as the same command run
// by hand, in RELION's coordinate convention (x = column, y = row) on a simulated micrograph.
import {execFileSync} from 'node:child_process'
import {mkdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {fixedMovieOptions, simulateMicrograph} from '../../../scripts/simulator/index.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {parseCoordinateStar} from '../pick/coords-star.js'
import {defaultPickOptions, type PickOptions} from '../pick/options.js'
import {pickParticlesWithRelionLog, type RelionLogSettings} from './relion-autopick.js'
import {micrographsStar} from './relion-input-star.js'
import {defaultExternalSettings} from './settings.js'
import {scratch} from './test-support.js'

let dir: string
let particles: [number, number][]
const settings: RelionLogSettings = {...defaultExternalSettings, timeoutSeconds: 120, lowpass: 20, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1}
const options: PickOptions = {...defaultPickOptions, pixelSize: 2, diameterMin: 100, diameterMax: 160}

beforeAll(async () => {
  dir = await scratch('relion-log')
  const mic = simulateMicrograph(fixedMovieOptions({width: 512, height: 512, frames: 30, pixelSize: 2}))
  particles = mic.truth.particles
  await writeMrc(join(dir, 'mic_0001.mrc'), [mic.image.data], {width: 512, height: 512, pixelSize: 2})
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describeWithTools({commands: ['relion_autopick']}, 'relion_autopick --LoG adapter (real RELION 3.1)', () => {
  it('gives the picks of the same RELION command run by hand', async () => {
    const result = await pickParticlesWithRelionLog(join(dir, 'mic_0001.mrc'), join(dir, 'adapter'), options, settings)

    const byHand = join(dir, 'by-hand')
    await mkdir(byHand)
    await symlink(join(dir, 'mic_0001.mrc'), join(byHand, 'mic.mrc'))
    await writeFile(join(byHand, 'mics.star'), micrographsStar('mic.mrc', 2, settings))
    execFileSync(
      'relion_autopick',
      ['--i', 'mics.star', '--odir', 'out/', '--pickname', 'autopick', '--LoG', '--LoG_diam_min', '100', '--LoG_diam_max', '160', '--LoG_adjust_threshold', '0', '--angpix', '2', '--shrink', '0', '--lowpass', '20'],
      {cwd: byHand, stdio: 'ignore'},
    )
    const theirs = parseCoordinateStar(await readFile(join(byHand, 'out/mic_autopick.star'), 'utf8')).sort((a, b) => b.figureOfMerit - a.figureOfMerit)
    expect(result.count).toBeGreaterThan(0)
    expect(result.coordinates).toEqual(theirs.map((r) => [r.x, r.y]))
    expect(result.scores).toEqual(theirs.map((r) => r.figureOfMerit))
    expect(parseCoordinateStar(await readFile(result.coordinatesFile, 'utf8'))).toHaveLength(result.count)

    // x = column, y = row: most simulated particles have a pick within a quarter diameter (px).
    const near = particles.filter(([px, py]) => result.coordinates.some(([x, y]) => Math.hypot(x - px, y - py) < 120 / 2 / 4))
    console.log(`relion_autopick --LoG: ${result.count} picks, ${near.length}/${particles.length} simulated particles matched`)
    expect(near.length).toBeGreaterThan(particles.length / 2)

    const limited = await pickParticlesWithRelionLog(join(dir, 'mic_0001.mrc'), join(dir, 'limited'), {...options, maxPicks: 1}, settings)
    expect(limited.coordinates).toEqual(result.coordinates.slice(0, 1))
    expect(result.provenance.argv).toEqual(expect.arrayContaining(['--LoG', '--LoG_diam_min', '100']))
  })
})
