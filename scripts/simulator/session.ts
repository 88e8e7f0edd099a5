// A microscope session on disk: one movie every `interval` seconds, each written in chunks over
// `writeTime`, truth JSON first (outside the data folder), sidecars after, faults on request.
import {mkdir, rename, writeFile} from 'node:fs/promises'
import type {FileHandle} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {writeInChunks} from './chunked-write.js'
import {countedMrcLength, writeCountedMrc} from './counted-mrc-write.js'
import type {SessionConfig} from './cli-args.js'
import {corruptHeader, FAULT_REASONS, planFaults, truncatedLength, type FaultKind} from './faults.js'
import {drawGainReference} from './gain.js'
import {gridSquareOf, movieLocation, type MovieLocation} from './layout.js'
import {prepareMovie, type PreparedMovie} from './movie.js'
import {drawMovieOptions} from './options.js'
import {createRng, type Rng} from './rng.js'
import {epuXml, serialEmMdoc} from './sidecars.js'
import {formatTruth, truthFileName, type MovieTruth} from './truth.js'
import {encodeMovie, encodePreparedMovie, writeGainReference, type MovieEncoding} from './write-movie.js'

/** What the CLI prints (one JSON line) per movie written. */
export interface MovieWritten {
  index: number
  /** Path relative to the data folder. */
  movie: string
  path: string
  truth: string
  bytes: number
  fault: FaultKind | null
  bad: string | null
}

/** Frame readout time (s) used for the sidecars' exposure time. */
const SECONDS_PER_FRAME = 0.05

/**
 * Runs the session; `onMovie` hears of each movie once it is on disk, `onWarning` of anything
 * a user should know (e.g. simulating takes longer than --interval, so the schedule slips).
 */
export async function runSession(c: SessionConfig, onMovie: (m: MovieWritten) => void, onWarning: (message: string) => void = () => {}): Promise<void> {
  await mkdir(c.out, {recursive: true})
  await mkdir(c.truth, {recursive: true})
  const rng = createRng(c.session.seed, 'session')
  const {width, height, pixelSize} = c.session
  const gain = drawGainReference(rng.fork('camera'), width, height)
  await mkdir(dirname(c.gain), {recursive: true})
  await writeGainReference(c.gain, gain.gain, width, height, pixelSize)
  const eerGain = c.format === 'eer' ? await writeEerGainReference(c.gain, gain.gain, width, height, pixelSize) : undefined
  const faults = planFaults(c.faults, c.movies, rng.fork('faults'))
  /** Locations of the good (fault-free) movies so far: what a duplicate can copy the name of. */
  const written: MovieLocation[] = []
  const truthNames = new Set<string>()
  const openHandles: FileHandle[] = []
  const start = Date.now()
  try {
    for (let index = 0; index < c.movies; index++) {
      const wait = start + index * c.interval * 1000 - Date.now()
      if (wait > 0) await delay(wait)
      else if (c.interval > 0 && -wait > c.interval * 1000) onWarning(`movie ${index + 1} starts ${(-wait / 1000).toFixed(1)} s late: simulating a movie takes longer than --interval ${c.interval} s`)
      const acquired = new Date()
      const fault = faults.get(index) ?? null
      const movieRng = rng.fork(`movie ${index}`)
      const location = locate(c, index, acquired, fault, written, movieRng)
      const relative = location.dir ? `${location.dir}/${location.fileName}` : location.fileName
      const options = drawMovieOptions(c.session, movieRng, relative, index, gain)
      const movie = prepareMovie(options)
      const truth: MovieTruth = {...movie.truth, bad: fault ? FAULT_REASONS[fault] : movie.truth.bad, format: c.format, eerGrouping: c.format === 'eer' ? c.eerGrouping : undefined, gainReference: c.gain, eerGainReference: eerGain, acquired: acquired.toISOString()}
      const truthPath = join(c.truth, uniqueTruthName(c, location, relative, truthNames))
      await writeAtomically(truthPath, formatTruth(truth))
      const path = join(c.out, relative)
      await mkdir(dirname(path), {recursive: true})
      const bytes = await writeMovieFile(c, movie, fault, path, movieRng, openHandles)
      await writeSidecar(c, location, path, truth, acquired)
      if (!fault) written.push(location)
      onMovie({index, movie: relative, path, truth: truthPath, bytes, fault, bad: truth.bad})
    }
  } finally {
    // A file "never finished" stays open until the acquisition software goes away.
    for (const h of openHandles) await h.close()
  }
}

function locate(c: SessionConfig, index: number, acquired: Date, fault: FaultKind | null, written: MovieLocation[], rng: Rng): MovieLocation {
  if (fault !== 'duplicate') return movieLocation(c.layout, c.format, index, acquired)
  // The same name again: flat = rewritten in place; EPU = the same name in another grid square.
  const original = written[rng.int(written.length)]
  if (c.layout === 'flat') return original
  const square = gridSquareOf(index) + 37
  return {...original, dir: `Images-Disc1/GridSquare_${square}/Data`}
}

function uniqueTruthName(c: SessionConfig, location: MovieLocation, relative: string, used: Set<string>): string {
  let name = truthFileName(location.fileName)
  // Two live files with one name (EPU duplicate): the second truth is named by its path.
  if (used.has(name) && c.layout !== 'flat') name = truthFileName(relative.replaceAll('/', '__'))
  used.add(name)
  return name
}

async function writeMovieFile(c: SessionConfig, movie: PreparedMovie, fault: FaultKind | null, path: string, rng: Rng, openHandles: FileHandle[]): Promise<number> {
  const encoding: MovieEncoding = {format: c.format, mrcMode: c.mrcMode, eerGrouping: c.eerGrouping, rng: rng.fork('eer')}
  if (fault === 'zero-byte') {
    await writeFile(path, new Uint8Array(0))
    return 0
  }
  if (fault === 'stray') {
    // The integrated, gain-corrected image EPU writes beside each movie, named like a movie.
    const sum = gainCorrectedSum(movie)
    const bytes = encodeMovie({width: movie.width, height: movie.height, truth: movie.truth, frames: [sum]}, {format: c.format === 'eer' ? 'tiff' : c.format, mrcMode: 2})
    await writeInChunks(path, [bytes], {duration: 0})
    return bytes.length
  }
  // MRC: each frame is written as it is counted; TIFF and EER are encoded whole first.
  const parts = c.format === 'mrc' ? undefined : encodePreparedMovie(movie, encoding)
  const total = parts ? parts.reduce((n, p) => n + p.length, 0) : countedMrcLength(movie, c.mrcMode)
  const stopAt = fault === 'truncated' ? truncatedLength(total, rng) : fault === 'unfinished' ? Math.floor(total * rng.uniform(0.2, 0.7)) : undefined
  const write = {duration: fault === 'unfinished' ? c.writeTime * 0.5 : c.writeTime, stopAt, keepOpen: fault === 'unfinished'}
  const garbleHeader = fault === 'corrupt-header' ? (header: Uint8Array) => corruptHeader(header, rng) : undefined
  // The main header is the first part (the whole TIFF/EER file).
  if (parts && garbleHeader) parts[0] = garbleHeader(parts[0])
  const handle = parts ? await writeInChunks(path, parts, write) : await writeCountedMrc(path, movie, c.mrcMode, {...write, garbleHeader})
  if (handle) openHandles.push(handle)
  return stopAt ?? total
}

/** Frames counted one at a time into one scratch frame, summed, times the gain reference. */
function gainCorrectedSum(movie: PreparedMovie): Float32Array {
  const sum = new Float32Array(movie.width * movie.height)
  const scratch = new Float32Array(sum.length)
  for (let f = 0; f < movie.frameCount; f++) {
    const counts = movie.frame(f, scratch)
    for (let i = 0; i < sum.length; i++) sum[i] += counts[i]
  }
  const gain = movie.gain.gain
  for (let i = 0; i < sum.length; i++) sum[i] *= gain[i]
  return sum
}

async function writeSidecar(c: SessionConfig, location: MovieLocation, moviePath: string, truth: MovieTruth, acquired: Date): Promise<void> {
  if (c.sidecar === 'none') return
  const input = {truth, movieFile: location.fileName, acquired, exposureTime: truth.frames * SECONDS_PER_FRAME}
  if (c.sidecar === 'mdoc') return writeAtomically(`${moviePath}.mdoc`, serialEmMdoc(input))
  const stem = location.epuStem || location.fileName.replace(/\.[^.]+$/, '')
  await writeAtomically(join(dirname(moviePath), `${stem}.xml`), epuXml(input))
}

/**
 * RELION 3.1 divides EER frames by --gainref (the Thermo Fisher convention), unlike MRC/TIFF
 * which it multiplies; checked here: with the reciprocal it recovers the simulated motion,
 * with the multiply-reference the fixed pattern pins it near zero. So EER sessions get both.
 */
async function writeEerGainReference(gainPath: string, gain: Float32Array, width: number, height: number, pixelSize: number): Promise<string> {
  const path = gainPath.replace(/(\.mrc)?$/, '_eer_divide.mrc')
  await writeGainReference(path, gain.map((g) => 1 / g), width, height, pixelSize, 'emstream simulate EER gain reference: divide raw frames by this (RELION 3.1 EER)')
  return path
}

/** Write to a temporary name, then rename: readers never see half a JSON/XML file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, text)
  await rename(tmp, path)
}
