// Movie and gain files as a microscope writes them: MRC (modes 0/1/2/6, FEI1 dose header),
// LZW TIFF (8-bit counts when they fit) and EER, through the shared core/formats encoders.
import {writeFile} from 'node:fs/promises'
import {encodeMrc, writeMrc} from '../../core/formats/mrc-write.js'
import {encodeTiffMovie} from '../../core/formats/tiff.js'
import {encodeEerMovie, encodePreparedEerMovie} from './eer-events.js'
import type {PreparedMovie} from './movie.js'
import {MODE_MAX, mrcOptions, mrcSectionEncoder, type MrcMovieMode} from './mrc-sections.js'
import {createRng, type Rng} from './rng.js'

export type MovieFormat = 'mrc' | 'tiff' | 'eer'
export type {MrcMovieMode}

export interface MovieEncoding {
  format: MovieFormat
  /** MRC data mode (default 1, int16 counts). */
  mrcMode?: MrcMovieMode
  /** EER: hardware frames per rendered frame (each rendered frame is split into this many). */
  eerGrouping?: number
  /** EER: random stream for splitting counts into hardware frames and sub-pixel positions (default: seeded by the movie name). */
  rng?: Rng
}

export interface MovieData {
  width: number
  height: number
  frames: Float32Array[]
  truth: {pixelSize: number; dosePerFrame: number; movie: string}
}

/** The file's bytes (the session writer streams them out in chunks). */
export function encodeMovie(movie: MovieData, e: MovieEncoding): Uint8Array {
  const {width, height} = movie
  if (e.format === 'mrc') {
    const mode = e.mrcMode ?? 1
    return encodeMrc(saturate(movie.frames, MODE_MAX[mode]), mrcOptions(movie, mode))
  }
  if (e.format === 'tiff') {
    const max = movie.frames.reduce((m, f) => Math.max(m, maxOf(f)), 0)
    const bitsPerSample = max <= 255 ? 8 : 16
    return encodeTiffMovie(saturate(movie.frames, bitsPerSample === 8 ? 255 : 65535), {width, height, bitsPerSample, compression: 'lzw'})
  }
  return Buffer.concat(encodeEerMovie(movie.frames, width, height, e.eerGrouping ?? 20, eerRng(e, movie.truth.movie)))
}

const eerRng = (e: MovieEncoding, movie: string) => e.rng ?? createRng(0, movie)

/**
 * A prepared movie's file as byte parts in file order, counting each frame once (MRC: each
 * frame counted into its own section, see mrc-sections.ts; EER holds one rendered frame's
 * electrons at a time; TIFF is encoded from all counted frames). The session writes MRC
 * movies with `writeCountedMrc` instead, which holds two sections, not the whole file.
 */
export function encodePreparedMovie(movie: PreparedMovie, e: MovieEncoding): Uint8Array[] {
  const truth = movie.truth
  if (e.format === 'eer') return encodePreparedEerMovie(movie, e.eerGrouping ?? 20, eerRng(e, truth.movie))
  if (e.format !== 'mrc') {
    const frames = Array.from({length: movie.frameCount}, (_, i) => movie.frame(i))
    return [encodeMovie({width: movie.width, height: movie.height, frames, truth}, e)]
  }
  const encoder = mrcSectionEncoder(movie, e.mrcMode ?? 1)
  const sections = Array.from({length: movie.frameCount}, (_, i) => encoder.encode(i, new Uint8Array(encoder.sectionBytes)))
  return [encoder.preamble(), ...sections]
}

/** Writes the movie in one go (MRC streams section by section, never assembling the file). */
export async function writeMovie(path: string, movie: MovieData, format: MovieFormat | MovieEncoding): Promise<void> {
  const e = typeof format === 'string' ? {format} : format
  if (e.format !== 'mrc') return writeFile(path, encodeMovie(movie, e))
  const mode = e.mrcMode ?? 1
  await writeMrc(path, saturate(movie.frames, MODE_MAX[mode]), mrcOptions(movie, mode))
}

/** The gain reference as a float MRC (multiply raw frames by it, as RELION's --gainref does). */
export async function writeGainReference(path: string, gain: Float32Array, width: number, height: number, pixelSize: number, label = 'emstream simulate gain reference: multiply raw frames by this'): Promise<void> {
  await writeMrc(path, [gain], {width, height, mode: 2, pixelSize, labels: [label]})
}

function maxOf(f: Float32Array): number {
  let m = 0
  for (const v of f) if (v > m) m = v
  return m
}

function saturate(frames: Float32Array[], max: number): Float32Array[] {
  if (!Number.isFinite(max)) return frames
  return frames.map((f) => (maxOf(f) <= max ? f : f.map((v) => Math.min(v, max))))
}
