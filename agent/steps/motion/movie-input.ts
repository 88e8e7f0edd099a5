// Reading what the step needs besides the frames' pixels: the gain reference (oriented and
// checked against the movie), the defect file, and a first pass over the frames that rejects
// unusable ones and sums them for hot-pixel detection and the gain orientation check.
import {readFile} from 'node:fs/promises'
import {extname} from 'node:path'
import type {MovieReader} from '../../../core/formats/movie.js'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {DefectSyntaxError, markRectangles, markWhere, parseDefectText} from './defects.js'
import {MotionError} from './errors.js'
import {firstNonFinite, orientGain, type Plane} from './gain.js'
import type {FrameStats} from './frame-spectrum.js'
import type {MotionOptions} from './options.js'

export interface LoadedGain {
  /** Oriented to the movie: multiply frames by this. */
  data: Float32Array
  /** As stored in the file (for the orientation check). */
  source: Plane
}

export async function loadGain(options: MotionOptions, movie: MovieReader): Promise<LoadedGain> {
  const file = options.gainReference
  const {image} = await readMrcImage(file)
  const source: Plane = {width: image.width, height: image.height, data: image.data}
  const bad = firstNonFinite(source.data)
  if (bad >= 0) {
    throw new MotionError(file, 'gain-values', `gain reference has a ${source.data[bad]} pixel at x=${bad % source.width}, y=${Math.floor(bad / source.width)}`)
  }
  if (!source.data.some((v) => v > 0)) throw new MotionError(file, 'gain-values', 'gain reference has no positive pixel')
  const oriented = orientGain(source, options.gainRotation, options.gainFlip)
  if (oriented.width !== movie.width || oriented.height !== movie.height) {
    const swapped = oriented.width === movie.height && oriented.height === movie.width
    throw new MotionError(
      file,
      'gain-size',
      `gain reference is ${source.width}x${source.height} (${oriented.width}x${oriented.height} after rotation ${options.gainRotation}), ` +
        `the movie ${movie.path} is ${movie.width}x${movie.height}` +
        (swapped ? `; rotating it by 90 degrees would fit: set gainRotation to ${options.gainRotation % 2 === 0 ? '1 or 3' : '0 or 2'}` : ''),
    )
  }
  return {data: oriented.data, source}
}

/** Marks the defect file's pixels: text "x y w h" rectangles, or an MRC map (non-zero = bad). */
export async function markDefectFile(mask: Uint8Array, file: string, width: number, height: number): Promise<void> {
  if (extname(file).toLowerCase() === '.txt') {
    let rects
    try {
      rects = parseDefectText(await readFile(file, 'utf8'))
    } catch (e) {
      if (e instanceof DefectSyntaxError) throw new MotionError(file, 'defect-file', e.message)
      throw new MotionError(file, 'defect-file', `cannot read the defect file: ${(e as Error).message}`)
    }
    markRectangles(mask, width, height, rects)
    return
  }
  const {image} = await readMrcImage(file)
  if (image.width !== width || image.height !== height) {
    throw new MotionError(file, 'defect-file', `defect map is ${image.width}x${image.height}, the movie is ${width}x${height}`)
  }
  markWhere(mask, image.data, false)
}

/**
 * The frames the first pass reads: all of a short movie, else the first quarter (at least 8).
 * Hot pixels (which fire in every frame) and the gain's fixed pattern stand out in that sum as
 * in the full one; the frames are kept, so the second pass reads each frame only once in all.
 */
export function firstPassFrames(frameNumbers: number[]): number[] {
  return frameNumbers.slice(0, Math.max(8, Math.ceil(frameNumbers.length / 4)))
}

/** Sum of the given (raw) frames, each checked on the way; the frames themselves, by number. */
export async function sumFrames(movie: MovieReader, frameNumbers: number[]): Promise<{sum: Float32Array; frames: Map<number, Float32Array>}> {
  const sum = new Float32Array(movie.width * movie.height)
  const frames = new Map<number, Float32Array>()
  // Reading the next frame overlaps with summing this one.
  let next = prefetch(movie, frameNumbers[0])
  for (let k = 0; k < frameNumbers.length; k++) {
    const frame = await next
    if (k + 1 < frameNumbers.length) next = prefetch(movie, frameNumbers[k + 1])
    checkFrame(movie, frameNumbers[k], frame, addFrame(sum, frame))
    frames.set(frameNumbers[k], frame)
  }
  return {sum, frames}
}

/**
 * Rejects a frame with NaN/Inf pixels (its total is then non-finite) or no counts at all (its
 * sum of squares is 0). `frame` is only read to name the bad pixel.
 */
export function checkFrame(movie: MovieReader, n: number, frame: Float32Array, stats: FrameStats): void {
  if (!Number.isFinite(stats.total) || !Number.isFinite(stats.squares)) {
    const bad = firstNonFinite(frame)
    throw new MotionError(movie.path, 'non-finite', `frame ${n} has a ${frame[bad]} pixel at x=${bad % movie.width}, y=${Math.floor(bad / movie.width)}`)
  }
  if (stats.squares === 0) throw new MotionError(movie.path, 'empty-frame', `frame ${n} is all zeros (no counts): a truncated or failed acquisition`)
}

/** sum += frame, with the frame's statistics (branch-free: counts are random zeros and ones). */
function addFrame(sum: Float32Array, frame: Float32Array): FrameStats {
  let total = 0
  let squares = 0
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i]
    sum[i] += v
    total += v
    squares += v * v
  }
  return {total, squares}
}

/**
 * Starts reading frame n (1-based), or takes it from `held` (and lets it go there). If this
 * frame is never awaited (an earlier one failed), its rejection is not left unhandled.
 */
export function prefetch(movie: MovieReader, n: number, held?: Map<number, Float32Array>): Promise<Float32Array> {
  const kept = held?.get(n)
  if (kept) {
    held!.delete(n)
    return Promise.resolve(kept)
  }
  const p = movie.readFrame(n - 1)
  p.catch(() => undefined)
  return p
}
