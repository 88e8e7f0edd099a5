// Accuracy against simulator ground truth, shared by the CI accuracy test and the benchmark:
// simulated micrographs from the ranges (diameters 80-300 A, pixel 0.6-1.5 A, the
// simulator's default session dose), our picker and relion_autopick --LoG on the same files,
// both scored by the same matcher (one-to-one within 0.25 x diameter).
import {execFile} from 'node:child_process'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {promisify} from 'node:util'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {formatStar, loopBlock, relionStarFile} from '../../../core/formats/star.js'
import type {Image2D} from '../../../core/numeric/image.js'
import {simulateMicrograph} from '../../../scripts/simulator/movie.js'
import {defaultSessionParameters, drawMovieOptions, type MovieSimOptions} from '../../../scripts/simulator/options.js'
import {createRng} from '../../../scripts/simulator/rng.js'
import {hasCommand} from '../../../test/support/system-tools.js'
import {parseCoordinateStar} from './coords-star.js'
import {scorePicks, type PickScore} from './f1.js'

const run = promisify(execFile)

export interface PickCase {
  size: number
  pixelSize: number
  /** True mean particle diameter (A). */
  diameter: number
  seed: number
}

/** The CI set: small micrographs spanning the diameter and pixel-size ranges. */
export const CI_PICK_CASES: PickCase[] = [
  {size: 1024, pixelSize: 1.0, diameter: 150, seed: 1},
  {size: 1536, pixelSize: 1.5, diameter: 300, seed: 2},
  {size: 1536, pixelSize: 0.8, diameter: 120, seed: 3},
  {size: 1024, pixelSize: 1.2, diameter: 200, seed: 4},
  {size: 1536, pixelSize: 0.6, diameter: 80, seed: 5},
]

export interface SimulatedPickCase {
  case: PickCase
  options: MovieSimOptions
  image: Image2D
  particles: [number, number][]
}

/** Movie values (defocus, ice, coverage) drawn as a normal session draws them; no bad variants. */
export function simulatePickCase(c: PickCase): SimulatedPickCase {
  const session = {...defaultSessionParameters, width: c.size, height: c.size, pixelSize: c.pixelSize, particleDiameter: c.diameter, badFraction: 0}
  const options = drawMovieOptions(session, createRng(c.seed, 'pick-accuracy'), `pick_${c.seed}.mrc`)
  const {image, truth} = simulateMicrograph(options)
  return {case: c, options, image, particles: truth.particles}
}

/** The search range given to both pickers: +-20 % around the true diameter. */
export function diameterRange(c: PickCase): {diameterMin: number; diameterMax: number} {
  return {diameterMin: 0.8 * c.diameter, diameterMax: 1.2 * c.diameter}
}

export function scoreCase(c: PickCase, coordinates: [number, number][], particles: [number, number][]): PickScore {
  return scorePicks(coordinates, particles, (0.25 * c.diameter) / c.pixelSize)
}

/** Precision, recall and F1 of all micrographs' picks together. */
export function pooledScore(scores: PickScore[]): {precision: number; recall: number; f1: number} {
  const tp = scores.reduce((s, x) => s + x.truePositives, 0)
  const picks = scores.reduce((s, x) => s + x.truePositives + x.falsePositives, 0)
  const truth = scores.reduce((s, x) => s + x.truePositives + x.falseNegatives, 0)
  const precision = picks ? tp / picks : 0
  const recall = truth ? tp / truth : 0
  return {precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0}
}

export async function writeCaseMicrograph(s: SimulatedPickCase, dir: string): Promise<string> {
  await mkdir(dir, {recursive: true})
  const path = join(dir, s.options.movie)
  await writeMrc(path, [s.image.data], {width: s.image.width, height: s.image.height, pixelSize: s.case.pixelSize})
  return path
}

export interface RelionPicks {
  coordinates: [number, number][]
  /** Wall-clock seconds of the relion_autopick process. */
  seconds: number
  /** Its CPU seconds (user + system), when GNU time is installed to measure them. */
  cpuSeconds?: number
}

/**
 * relion_autopick --LoG on one micrograph, run in its folder (RELION resolves names from the
 * micrographs STAR), with its default threshold; returns its coordinates.
 */
export async function runRelionLog(micrograph: string, pixelSize: number, range: {diameterMin: number; diameterMax: number}): Promise<RelionPicks> {
  const dir = dirname(micrograph)
  const name = basename(micrograph)
  const stem = name.replace(/\.mrc$/, '')
  const star = `${stem}_micrographs.star`
  await writeFile(join(dir, star), micrographsStar(name, pixelSize))
  const odir = `relion_${stem}/`
  const args = ['--i', star, '--odir', odir, '--pickname', 'autopick', '--LoG', '--LoG_diam_min', String(range.diameterMin), '--LoG_diam_max', String(range.diameterMax), '--angpix', String(pixelSize)]
  const gnuTime = hasCommand('/usr/bin/time')
  const [command, argv] = gnuTime ? ['/usr/bin/time', ['-f', `${CPU_TAG} %U %S`, 'relion_autopick', ...args]] : ['relion_autopick', args]
  const t0 = performance.now()
  const {stderr} = await run(command, argv, {cwd: dir, maxBuffer: 16 << 20})
  const seconds = (performance.now() - t0) / 1000
  const file = join(dir, odir, `${stem}_autopick.star`)
  const rows = parseCoordinateStar(await readFile(file, 'utf8'), file)
  const cpu = stderr.split('\n').find((l) => l.startsWith(CPU_TAG))?.split(/\s+/)
  const cpuSeconds = cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined
  return {coordinates: rows.map((r) => [r.x, r.y]), seconds, cpuSeconds}
}

const CPU_TAG = 'emstream-cpu'

/** A RELION 3.1 micrographs STAR (optics group + one micrograph) for relion_autopick. */
export function micrographsStar(micrograph: string, pixelSize: number): string {
  return formatStar(
    relionStarFile([
      loopBlock(
        'optics',
        ['rlnOpticsGroupName', 'rlnOpticsGroup', 'rlnMicrographOriginalPixelSize', 'rlnVoltage', 'rlnSphericalAberration', 'rlnAmplitudeContrast', 'rlnMicrographPixelSize'],
        [['opticsGroup1', 1, pixelSize, 300, 2.7, 0.1, pixelSize]],
      ),
      loopBlock('micrographs', ['rlnMicrographName', 'rlnOpticsGroup'], [[micrograph, 1]]),
    ]),
  )
}
