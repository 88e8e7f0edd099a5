// Motion correction of one simulated movie (default 4096 x 4096 x 40 frames, 1 e/A^2/frame):
// our correctMotion against `relion_run_motioncorr --use_own` with the same thread count, both
// as child processes so that each one's peak RSS is its own (GNU time). Prints wall time, peak
// memory, their ratios, and the RMS error of each one's shifts against the simulator's truth.
// Settings: MOTION_BENCH_SIZE (4096), MOTION_BENCH_FRAMES (40), MOTION_BENCH_THREADS (1),
// MOTION_BENCH_DIR (/tmp/emstream-bench/motion; the simulated movie is kept there and reused).
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const size = Number(process.env.MOTION_BENCH_SIZE ?? 4096)
const frames = Number(process.env.MOTION_BENCH_FRAMES ?? 40)
const threads = Number(process.env.MOTION_BENCH_THREADS ?? 1)
const root = process.env.MOTION_BENCH_DIR ?? '/tmp/emstream-bench/motion'

interface Run {
  wallS: number
  /** User + system CPU time: on a shared machine a fairer measure of the work than wall time. */
  cpuS: number
  peakRssMb: number
}

if (process.argv[2] === '--ours') await runOurs(process.argv[3], process.argv[4])
else if (process.argv[2] === '--simulate') await simulate(process.argv[3])
else await main()

async function main(): Promise<void> {
  const dir = join(root, `${size}x${frames}`)
  mkdirSync(dir, {recursive: true})
  const movie = join(dir, 'movie.mrc')
  // Simulated in a child process so that its frames do not stay in this one's memory.
  if (!existsSync(join(dir, 'truth.json'))) spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--simulate', dir], {stdio: 'inherit'})
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as {shifts: [number, number][]; pixelSize: number; dosePerFrame: number}
  const hasRelion = spawnSync('sh', ['-c', 'command -v relion_run_motioncorr']).status === 0
  if (!hasRelion) console.log('relion_run_motioncorr not installed: measuring ours only')

  const ours = timed(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--ours', movie, join(dir, 'ours')], process.cwd())
  const ourShifts = JSON.parse(readFileSync(join(dir, 'ours', 'result.json'), 'utf8')).shifts as [number, number][]
  report('ours (correctMotion)', ours, rmsError(ourShifts, truth.shifts))
  if (!hasRelion) return
  const relion = timed(
    'relion_run_motioncorr',
    ['--i', 'movie.mrc', '--o', 'relion/', '--use_own', '--j', String(threads), '--gainref', 'gain.mrc', '--dose_weighting', '--angpix', String(truth.pixelSize), '--voltage', '300', '--dose_per_frame', String(truth.dosePerFrame), '--bfactor', '150', '--patch_x', '1', '--patch_y', '1'],
    dir,
  )
  report('relion_run_motioncorr --use_own', relion, rmsError(relionShifts(join(dir, 'relion', 'movie.star')), truth.shifts))
  console.log(
    `speed-up vs RELION (${threads} thread${threads > 1 ? 's' : ''}): wall ${(relion.wallS / ours.wallS).toFixed(2)}x, CPU ${(relion.cpuS / ours.cpuS).toFixed(2)}x   ` +
      `peak memory ours / RELION: ${(ours.peakRssMb / relion.peakRssMb).toFixed(2)}`,
  )
}

/** The measured child: correct the movie and leave the result beside the outputs. */
async function runOurs(movie: string, out: string): Promise<void> {
  const {correctMotion} = await import('../../agent/steps/motion/index.js')
  const truth = JSON.parse(readFileSync(join(movie, '..', 'truth.json'), 'utf8'))
  const r = await correctMotion(movie, out, {pixelSize: truth.pixelSize, dosePerFrame: truth.dosePerFrame, gainReference: join(movie, '..', 'gain.mrc'), threads})
  writeFileSync(join(out, 'result.json'), JSON.stringify(r))
}

/** Wall time and peak RSS of a child process, from GNU time. */
function timed(command: string, args: string[], cwd: string): Run {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], {cwd, encoding: 'utf8', maxBuffer: 64 << 20})
  const line = r.stderr.split('\n').find((l) => l.startsWith('TIME '))
  if (r.status !== 0 || !line) throw new Error(`${command} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`)
  const [, wall, user, system, kb] = line.split(' ')
  return {wallS: Number(wall), cpuS: Number(user) + Number(system), peakRssMb: Number(kb) / 1024}
}

function report(name: string, run: Run, rms: number): void {
  console.log(
    `${name.padEnd(34)} wall ${run.wallS.toFixed(1).padStart(6)} s   CPU ${run.cpuS.toFixed(1).padStart(6)} s   peak RSS ${run.peakRssMb.toFixed(0).padStart(6)} MB   RMS shift error ${rms.toFixed(3)} px`,
  )
}

function rmsError(shifts: [number, number][], truth: [number, number][]): number {
  return Math.sqrt(shifts.reduce((a, [x, y], f) => a + (x + truth[f][0]) ** 2 + (y + truth[f][1]) ** 2, 0) / shifts.length)
}

function relionShifts(star: string): [number, number][] {
  const body = readFileSync(star, 'utf8').split('data_global_shift')[1].split(/\ndata_/)[0]
  return body
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && /^\d+$/.test(f[0]))
    .map((f) => [Number(f[1]), Number(f[2])])
}

/** Simulates the movie and writes it (float32 MRC: raw counts / gain are not integers), its gain and truth. */
async function simulate(dir: string): Promise<void> {
  const {prepareMovie} = await import('../simulator/movie.js')
  const {defaultSessionParameters, drawMovieOptions} = await import('../simulator/options.js')
  const {createRng} = await import('../simulator/rng.js')
  const {writeMrc} = await import('../../core/formats/mrc-write.js')
  const session = {...defaultSessionParameters, width: size, height: size, frames, badFraction: 0, localMotion: false, seed: 7}
  const options = drawMovieOptions(session, createRng(7, 'bench'), 'movie.mrc')
  const t = performance.now()
  const movie = prepareMovie(options)
  const sections = Array.from({length: frames}, (_, i) => movie.frame(i))
  await writeMrc(join(dir, 'movie.mrc'), sections, {width: size, height: size, mode: 2, pixelSize: options.pixelSize})
  await writeMrc(join(dir, 'gain.mrc'), [movie.gain.gain], {width: size, height: size, pixelSize: options.pixelSize})
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(movie.truth))
  console.log(`simulated ${size}x${size}x${frames} in ${((performance.now() - t) / 1000).toFixed(0)} s`)
}
