// `npm run simulate` flags -> a validated SessionConfig; every error names the flag and the problem.
import {parseArgs} from 'node:util'
import {resolve} from 'node:path'
import {parseFaults, type FaultRequest} from './faults.js'
import type {Layout} from './layout.js'
import {defaultSessionParameters, type SessionParameters} from './options.js'
import type {MovieFormat, MrcMovieMode} from './write-movie.js'

export class SimulateUsageError extends Error {
  constructor(
    readonly flag: string,
    readonly problem: string,
  ) {
    super(`--${flag}: ${problem}`)
    this.name = 'SimulateUsageError'
  }
}


export type Sidecar = 'none' | 'xml' | 'mdoc'

export interface SessionConfig {
  out: string
  truth: string
  gain: string
  movies: number
  /** Seconds between movie starts, and seconds each movie takes to write. */
  interval: number
  writeTime: number
  format: MovieFormat
  mrcMode: MrcMovieMode
  eerGrouping: number
  layout: Layout
  sidecar: Sidecar
  faults: FaultRequest[]
  session: SessionParameters
}

export const USAGE = `npm run simulate -- --out DIR --truth DIR [options]
  --movies N            movies to write (10)
  --size WxH            frame size, 512x512 to 4096x4096 or 5760x4092 (1024x1024)
  --frames F            frames per movie; EER: rendered frames, each split into --eer-grouping hardware frames (24)
  --pixel-size A        pixel size in A (1.0)
  --dose-per-frame E    e/A^2 per frame (1.0)
  --interval S          seconds between movie starts (5)
  --write-time S        seconds over which each movie is written in chunks (1)
  --format mrc|tiff|eer movie format (mrc)
  --mrc-mode 0|1|2|6    MRC data mode (1)
  --eer-grouping G      EER hardware frames per rendered frame (20)
  --layout flat|epu     flat folder, or EPU-like Images-Disc1/GridSquare_*/Data (flat)
  --sidecar none|xml|mdoc  EPU-like XML or SerialEM .mdoc beside each movie (none)
  --defocus MIN-MAX     target defocus range in um (0.8-2.5)
  --astigmatism A       largest astigmatism |U - V| in A (1000)
  --phase-plate         draw a phase shift per movie
  --particle-diameter A particle diameter in A (150)
  --bad-fraction P      fraction of bad movies: carbon edge, empty hole, aggregates, crystalline ice, drift (0.15)
  --no-local-motion     whole-field drift only
  --voltage KV --cs MM --amplitude-contrast W   optics (300, 2.7, 0.1)
  --gain PATH           where the gain reference MRC goes (DIR/gain_reference.mrc)
  --seed K              random seed (1)
  --faults LIST         comma list of truncated, unfinished, zero-byte, corrupt-header, duplicate, stray; NAME:N for N of them`

const SIZES_ALLOWED = 'from 512x512 to 4096x4096, or 5760x4092'

export function parseSimulateArgs(argv: string[]): SessionConfig {
  const {values} = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: {type: 'string'}, truth: {type: 'string'}, gain: {type: 'string'}, movies: {type: 'string'}, size: {type: 'string'},
      frames: {type: 'string'}, 'pixel-size': {type: 'string'}, 'dose-per-frame': {type: 'string'}, interval: {type: 'string'},
      'write-time': {type: 'string'}, format: {type: 'string'}, 'mrc-mode': {type: 'string'}, 'eer-grouping': {type: 'string'},
      layout: {type: 'string'}, sidecar: {type: 'string'}, defocus: {type: 'string'}, astigmatism: {type: 'string'},
      'phase-plate': {type: 'boolean'}, 'particle-diameter': {type: 'string'}, 'bad-fraction': {type: 'string'},
      'no-local-motion': {type: 'boolean'}, voltage: {type: 'string'}, cs: {type: 'string'}, 'amplitude-contrast': {type: 'string'},
      seed: {type: 'string'}, faults: {type: 'string'},
    },
  })
  if (!values.out) throw new SimulateUsageError('out', 'required: the data folder to write movies into')
  if (!values.truth) throw new SimulateUsageError('truth', 'required: the folder for ground-truth JSON (outside the data folder)')
  const out = resolve(values.out)
  const truth = resolve(values.truth)
  if (truth === out || truth.startsWith(out + '/')) throw new SimulateUsageError('truth', `must not be inside the data folder ${out}`)
  const d = defaultSessionParameters
  const [width, height] = parseSize(values.size ?? `${d.width}x${d.height}`)
  const [defocusMin, defocusMax] = parseRange('defocus', values.defocus ?? '0.8-2.5').map((um) => um * 1e4)
  const format = oneOf('format', values.format ?? 'mrc', ['mrc', 'tiff', 'eer'] as const)
  const movies = integer('movies', values.movies, 10, 1)
  const faults = parseFaultsFlag(values.faults)
  const faultCount = faults.reduce((n, f) => n + f.count, 0)
  if (faultCount > movies - 1) throw new SimulateUsageError('faults', `${faultCount} faults need --movies ${faultCount + 1} or more (the first movie is always good), got ${movies}`)
  return {
    out,
    truth,
    gain: resolve(values.gain ?? `${out}/gain_reference.mrc`),
    movies,
    interval: number('interval', values.interval, 5, 0),
    writeTime: number('write-time', values['write-time'], 1, 0),
    format,
    mrcMode: Number(oneOf('mrc-mode', values['mrc-mode'] ?? '1', ['0', '1', '2', '6'] as const)) as MrcMovieMode,
    eerGrouping: integer('eer-grouping', values['eer-grouping'], 20, 1),
    layout: oneOf('layout', values.layout ?? 'flat', ['flat', 'epu'] as const),
    sidecar: oneOf('sidecar', values.sidecar ?? 'none', ['none', 'xml', 'mdoc'] as const),
    faults,
    session: {
      width,
      height,
      frames: integer('frames', values.frames, d.frames, 1),
      pixelSize: number('pixel-size', values['pixel-size'], d.pixelSize, 0.1, 20),
      dosePerFrame: number('dose-per-frame', values['dose-per-frame'], d.dosePerFrame, 0.01, 50),
      voltage: number('voltage', values.voltage, d.voltage, 60, 400),
      sphericalAberration: number('cs', values.cs, d.sphericalAberration, 0, 10),
      amplitudeContrast: number('amplitude-contrast', values['amplitude-contrast'], d.amplitudeContrast, 0, 0.5),
      defocusMin,
      defocusMax,
      astigmatismMax: number('astigmatism', values.astigmatism, d.astigmatismMax, 0, 10000),
      phasePlate: values['phase-plate'] ?? false,
      particleDiameter: number('particle-diameter', values['particle-diameter'], d.particleDiameter, 20, 2000),
      badFraction: number('bad-fraction', values['bad-fraction'], d.badFraction, 0, 1),
      localMotion: !(values['no-local-motion'] ?? false),
      seed: integer('seed', values.seed, d.seed, 0),
    },
  }
}

function parseSize(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(text)
  if (!m) throw new SimulateUsageError('size', `expected WxH (e.g. 4096x4096), got "${text}"`)
  const [w, h] = [Number(m[1]), Number(m[2])]
  const k3 = w === 5760 && h === 4092
  if (!k3 && (w < 512 || h < 512 || w > 4096 || h > 4096)) throw new SimulateUsageError('size', `${text} is outside the supported sizes (${SIZES_ALLOWED})`)
  return [w, h]
}

function parseRange(flag: string, text: string): [number, number] {
  const m = /^([\d.]+)-([\d.]+)$/.exec(text)
  const lo = Number(m?.[1])
  const hi = Number(m?.[2])
  if (!m || !(lo > 0) || !(hi >= lo)) throw new SimulateUsageError(flag, `expected MIN-MAX with 0 < MIN <= MAX (e.g. 0.5-3.5), got "${text}"`)
  return [lo, hi]
}

function number(flag: string, text: string | undefined, fallback: number, min: number, max = Infinity): number {
  if (text === undefined) return fallback
  const v = Number(text)
  if (!Number.isFinite(v) || v < min || v > max) throw new SimulateUsageError(flag, `expected a number in [${min}, ${max}], got "${text}"`)
  return v
}

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  const v = number(flag, text, fallback, min)
  if (!Number.isInteger(v)) throw new SimulateUsageError(flag, `expected an integer, got "${text}"`)
  return v
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new SimulateUsageError(flag, `expected one of ${allowed.join(', ')}, got "${text}"`)
  return text as T
}

function parseFaultsFlag(text: string | undefined): FaultRequest[] {
  try {
    return parseFaults(text ?? '')
  } catch (e) {
    throw new SimulateUsageError('faults', (e as Error).message)
  }
}
