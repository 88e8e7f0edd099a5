// Realism: RELION's own motion correction recovers the simulated specimen motion (its shifts
// are minus the motion) within 0.3 px RMS, reading our MRC movie and MRC gain reference.
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {simulateMovie} from './movie.js'
import {fixedMovieOptions} from './test-support.js'
import {writeGainReference, writeMovie} from './write-movie.js'

const run = promisify(execFile)

function moviesStar(movie: string, pixelSize: number): string {
  return [
    '# version 30001', '', 'data_optics', '', 'loop_',
    '_rlnOpticsGroupName #1', '_rlnOpticsGroup #2', '_rlnMicrographOriginalPixelSize #3', '_rlnVoltage #4', '_rlnSphericalAberration #5', '_rlnAmplitudeContrast #6',
    `opticsGroup1 1 ${pixelSize} 300 2.7 0.1`, '', '# version 30001', '', 'data_movies', '', 'loop_',
    '_rlnMicrographMovieName #1', '_rlnOpticsGroup #2', `${movie} 1`, '',
  ].join('\n')
}

/** rlnMicrographShiftX/Y per frame from the data_global_shift block of RELION's per-movie STAR. */
function globalShifts(star: string): [number, number][] {
  const block = star.split('data_global_shift')[1]?.split('data_')[0] ?? ''
  return block
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && /^\d+$/.test(f[0]))
    .map((f) => [Number(f[1]), Number(f[2])])
}

describeWithTools({commands: ['relion_run_motioncorr']}, 'simulated movie through relion_run_motioncorr --use_own', () => {
  let dir = ''
  afterAll(async () => {
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('recovers the specimen motion with the opposite sign within 0.3 px RMS', async () => {
    dir = await mkdtemp(join(tmpdir(), 'emstream-sim-relion-'))
    // 2048 px and 5 e/A^2 per frame: RELION's frame-1 estimate needs this much signal for 0.3 px.
    const o = fixedMovieOptions({width: 2048, height: 2048, frames: 12, pixelSize: 1.2, dosePerFrame: 5, particleDiameter: 200, coverage: 0.3, movie: 'movie.mrc', drift: {fastAmplitude: 6, fastFrames: 2, slowSpeed: 0.2, jitter: 0.03, localAmplitude: 0}})
    const movie = simulateMovie(o)
    await writeMovie(join(dir, 'movie.mrc'), movie, 'mrc')
    await writeGainReference(join(dir, 'gain.mrc'), movie.gain, o.width, o.height, o.pixelSize)
    await writeFile(join(dir, 'movies.star'), moviesStar('movie.mrc', o.pixelSize))
    await run('relion_run_motioncorr', ['--i', 'movies.star', '--o', 'MC/', '--use_own', '--j', '2', '--gainref', 'gain.mrc', '--angpix', String(o.pixelSize), '--voltage', '300', '--dose_per_frame', String(o.dosePerFrame)], {cwd: dir})
    const relion = globalShifts(await readFile(join(dir, 'MC', 'movie.star'), 'utf8'))
    const truth = movie.truth.shifts
    expect(relion).toHaveLength(truth.length)
    expect(movie.truth.totalMotion).toBeGreaterThan(5)
    const squared = truth.map(([x, y], f) => (relion[f][0] + x) ** 2 + (relion[f][1] + y) ** 2)
    const rms = Math.sqrt(squared.reduce((a, b) => a + b, 0) / squared.length)
    console.log(`relion_run_motioncorr --use_own vs simulated motion: ${rms.toFixed(3)} px RMS`)
    expect(rms, `RMS error of RELION's shifts vs -truth (px)`).toBeLessThan(0.3)
  })
})
