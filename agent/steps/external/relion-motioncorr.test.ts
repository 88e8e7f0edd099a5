// relion_run_motioncorr adapter against RELION 3.1 itself: the adapter's numbers must be the
// ones the same RELION command gives when run by hand, and its shifts must have RELION's sign
// (minus the simulated specimen motion).
import {execFileSync} from 'node:child_process'
import {readFile, rm, symlink, mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {fixedMovieOptions, simulateMovie} from '../../../scripts/simulator/index.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {defaultMotionOptions, type MotionOptions} from '../motion/options.js'
import {readMotionStar} from './motion-star-read.js'
import {correctMotionWithRelion} from './relion-motioncorr.js'
import {defaultExternalSettings} from './settings.js'
import {scratch} from './test-support.js'

let dir: string
let truth: [number, number][]
const options: MotionOptions = {...defaultMotionOptions, pixelSize: 1, voltage: 300, dosePerFrame: 4, threads: 1, doseWeighting: true, saveNoDoseWeighting: true}

beforeAll(async () => {
  dir = await scratch('relion-motion')
  const movie = simulateMovie(fixedMovieOptions({width: 512, height: 512, frames: 10, dosePerFrame: 4}))
  truth = movie.truth.shifts
  // Movie named like an option: it must never reach RELION's argv as is.
  await writeMrc(join(dir, '-movie.mrc'), movie.frames, {width: 512, height: 512, pixelSize: 1})
  await writeMrc(join(dir, 'gain.mrc'), [movie.gain], {width: 512, height: 512})
})
afterAll(() => rm(dir, {recursive: true, force: true}))

describeWithTools({commands: ['relion_run_motioncorr']}, 'relion_run_motioncorr adapter (real RELION 3.1)', () => {
  it('gives the numbers of the same RELION command run by hand, with RELION sign shifts', async () => {
    const o = {...options, gainReference: join(dir, 'gain.mrc')}
    const result = await correctMotionWithRelion(join(dir, '-movie.mrc'), join(dir, 'adapter'), o, {...defaultExternalSettings, timeoutSeconds: 120})

    const byHand = join(dir, 'by-hand')
    await mkdir(byHand)
    await symlink(join(dir, '-movie.mrc'), join(byHand, 'movie.mrc'))
    execFileSync(
      'relion_run_motioncorr',
      ['--i', 'movie.mrc', '--o', 'out/', '--use_own', '--j', '1', '--angpix', '1', '--voltage', '300', '--dose_per_frame', '4', '--dose_weighting', '--save_noDW',
        '--bfactor', '150', '--gainref', join(dir, 'gain.mrc'), '--patch_x', '1', '--patch_y', '1'],
      {cwd: byHand, stdio: 'ignore'},
    )
    const theirs = readMotionStar(await readFile(join(byHand, 'out/movie.star'), 'utf8'), 'movie.star', 'relion')
    expect(result.shifts).toEqual(theirs.shifts)
    expect(result.frames).toBe(10)
    const list = await readFile(join(byHand, 'out/corrected_micrographs.star'), 'utf8')
    const total = Number(/out\/movie\.mrc\s+out\/movie\.star\s+\S+\s+(\S+)/.exec(list)?.[1])
    expect(result.totalMotion).toBeCloseTo(total, 5)

    const ours = await readMrcImage(result.micrograph)
    const handMade = await readMrcImage(join(byHand, 'out/movie.mrc'))
    expect(Array.from(ours.image.data.subarray(0, 2048))).toEqual(Array.from(handMade.image.data.subarray(0, 2048)))
    expect(result.micrographNoDW).toMatch(/-movie_noDW\.mrc$/)

    // RELION's sign: the shift applied to each frame, minus the specimen motion.
    const rms = (sign: number) => Math.sqrt(result.shifts.reduce((a, [x, y], f) => a + (x + sign * truth[f][0]) ** 2 + (y + sign * truth[f][1]) ** 2, 0) / truth.length)
    console.log(`RELION shifts vs truth: RMS ${rms(1).toFixed(2)} px as -motion, ${rms(-1).toFixed(2)} px as +motion`)
    expect(rms(1)).toBeLessThan(rms(-1) / 2)
    expect(result.provenance.argv).toContain('--use_own')
    expect(result.provenance.argv).not.toContain(join(dir, '-movie.mrc'))
    expect(result.provenance.version).toBe('3.1.3')
  })
})
