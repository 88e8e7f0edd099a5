// Checks against RELION 3.1 itself (relion_run_motioncorr --use_own): the gain orientation it
// writes, the per-movie STAR layout, and the accuracy of the shifts on a simulated movie whose
// true motion is known. Skipped (with a reason) where RELION is not installed; fails in CI.
import {execFileSync} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {blockLoop, blockPairs, findBlock, numberColumn, parseStar} from '../../../core/formats/star.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {simulateMovie} from '../../../scripts/simulator/movie.js'
import {defaultSessionParameters, drawMovieOptions} from '../../../scripts/simulator/options.js'
import {createRng} from '../../../scripts/simulator/rng.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {orientGain} from './gain.js'
import {correctMotion} from './index.js'
import type {GainFlip, GainRotation} from './options.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motion-relion-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

function relion(cwd: string, args: string[]): void {
  execFileSync('relion_run_motioncorr', ['--use_own', '--j', '1', '--angpix', '1', '--voltage', '300', ...args], {cwd, stdio: 'ignore'})
}

/** Global shifts and block labels of a per-movie STAR (RELION's or ours), via core/formats/star.ts. */
function globalShifts(text: string): [number, number][] {
  const loop = blockLoop(findBlock(parseStar(text), 'global_shift')!)!
  const x = numberColumn(loop, 'rlnMicrographShiftX')
  const y = numberColumn(loop, 'rlnMicrographShiftY')
  return x.map((v, i) => [v, y[i]])
}

function labels(text: string, block: string): string[] {
  const b = findBlock(parseStar(text), block)!
  const loop = blockLoop(b)
  return loop ? loop.columns : Object.keys(blockPairs(b))
}

describeWithTools({commands: ['relion_run_motioncorr']}, 'motion correction against RELION 3.1', () => {
  it('orients the gain exactly as --gain_rot / --gain_flip', async () => {
    // Non-square so that every rotation is told apart from the others.
    const gw = 48, gh = 32
    const gain = {width: gw, height: gh, data: Float32Array.from({length: gw * gh}, (_, i) => 1 + i / (gw * gh))}
    await writeMrc(join(dir, 'g.mrc'), [gain.data], {width: gw, height: gh})
    const frames = (w: number, h: number) => Array.from({length: 3}, (_, f) => new Float32Array(w * h).fill(10 + f))
    await writeMrc(join(dir, 'tall.mrc'), frames(gh, gw), {width: gh, height: gw, pixelSize: 1})
    await writeMrc(join(dir, 'wide.mrc'), frames(gw, gh), {width: gw, height: gh, pixelSize: 1})
    const cases: [GainRotation, GainFlip][] = [[1, 0], [1, 1], [1, 2], [3, 0], [3, 1], [2, 0], [2, 1], [0, 2]]
    for (const [rot, flip] of cases) {
      const out = `o${rot}${flip}/`
      relion(dir, ['--i', rot % 2 ? 'tall.mrc' : 'wide.mrc', '--o', out, '--gainref', 'g.mrc', '--gain_rot', String(rot), '--gain_flip', String(flip), '--skip_defect'])
      const theirs = await readMrcImage(join(dir, out, 'gain.mrc'))
      const ours = orientGain(gain, rot, flip)
      expect([ours.width, ours.height], `rot ${rot} flip ${flip}`).toEqual([theirs.image.width, theirs.image.height])
      expect(Array.from(ours.data), `rot ${rot} flip ${flip}`).toEqual(Array.from(theirs.image.data))
    }
  })

  it('measures the simulated motion of a 1 e/A^2-per-frame movie at least as well as RELION', async () => {
    const session = {...defaultSessionParameters, width: 1024, height: 1024, frames: 20, badFraction: 0, localMotion: false, seed: 2}
    const o = drawMovieOptions(session, createRng(2, 'session'), 'sim.mrc')
    const movie = simulateMovie(o)
    await writeMrc(join(dir, 'sim.mrc'), movie.frames, {width: 1024, height: 1024, pixelSize: o.pixelSize})
    await writeMrc(join(dir, 'simgain.mrc'), [movie.gain], {width: 1024, height: 1024})
    const truth = movie.truth.shifts
    const rms = (s: [number, number][]) => Math.sqrt(s.reduce((a, [x, y], f) => a + (x + truth[f][0]) ** 2 + (y + truth[f][1]) ** 2, 0) / s.length)

    const ours = await correctMotion(join(dir, 'sim.mrc'), join(dir, 'ours'), {pixelSize: o.pixelSize, dosePerFrame: o.dosePerFrame, gainReference: join(dir, 'simgain.mrc')})
    relion(dir, ['--i', 'sim.mrc', '--o', 'relion/', '--gainref', 'simgain.mrc', '--dose_weighting', '--dose_per_frame', String(o.dosePerFrame), '--bfactor', '150'])
    const theirStar = await readFile(join(dir, 'relion', 'sim.star'), 'utf8')
    const theirs = globalShifts(theirStar)
    const ourRms = rms(ours.shifts)
    const theirRms = rms(theirs)
    console.log(`1024x1024x20 at 1 e/A^2/frame: RMS shift error ours ${ourRms.toFixed(3)} px, RELION ${theirRms.toFixed(3)} px`)
    expect(ourRms).toBeLessThanOrEqual(theirRms)
    expect(ourRms).toBeLessThan(1)
    // Accumulated motion close to the truth's (the truth's is RELION's definition too).
    expect(Math.abs(ours.totalMotion - movie.truth.totalMotion)).toBeLessThan(0.2 * movie.truth.totalMotion)

    // Same STAR layout as RELION's: data_general labels and the global_shift loop.
    const ourStar = await readFile(ours.starFile!, 'utf8')
    expect(labels(ourStar, 'general')).toEqual(expect.arrayContaining(labels(theirStar, 'general')))
    expect(labels(ourStar, 'global_shift')).toEqual(labels(theirStar, 'global_shift'))
    expect(globalShifts(ourStar)).toEqual(ours.shifts.map(([x, y]) => [expect.closeTo(x, 5), expect.closeTo(y, 5)]))
  })
})
