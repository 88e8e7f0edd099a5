// A prepared movie's MRC file, one section at a time, into buffers the caller owns (a writer can
// reuse two buffers for the whole movie). Modes 1 and 6 are counted straight into the section's
// int16/uint16 values, their statistics summed by the counting kernel row by row, so the header
// statistics cost no pass over the frame; modes 0 and 2 go through one float scratch frame and
// core's section encoder.
import {emptyMrcStatistics, encodeMrcPreamble, encodeMrcSection, mrcSectionBytes, type MrcWriteOptions} from '../../core/formats/mrc-write.js'
import type {PreparedMovie} from './movie.js'

export type MrcMovieMode = 0 | 1 | 2 | 6

/** Largest count each integer MRC mode stores; a camera saturates, it does not wrap. */
export const MODE_MAX: Record<MrcMovieMode, number> = {0: 127, 1: 32767, 2: Infinity, 6: 65535}

/** Byte offset of RMS in the MRC2014 main header. */
const RMS_OFFSET = 216

export interface MrcSectionEncoder {
  options: MrcWriteOptions
  /** Bytes of one section; `encode` needs a buffer this long. */
  sectionBytes: number
  /** Frame `i` counted and encoded into `section` (returned); its values join the statistics. */
  encode(i: number, section: Uint8Array): Uint8Array
  /** Main + FEI1 extended header with the statistics of every frame encoded so far. */
  preamble(): Uint8Array
}

/** What the MRC header records of a movie. */
export interface MrcMovieDescription {
  width: number
  height: number
  truth: {pixelSize: number; dosePerFrame: number; movie: string}
}

export function mrcOptions(movie: MrcMovieDescription, mode: MrcMovieMode): MrcWriteOptions {
  return {width: movie.width, height: movie.height, mode, pixelSize: movie.truth.pixelSize, dosePerFrame: movie.truth.dosePerFrame, labels: [`emstream simulate ${movie.truth.movie}`]}
}

export function mrcSectionEncoder(movie: PreparedMovie, mode: MrcMovieMode): MrcSectionEncoder {
  const options = mrcOptions(movie, mode)
  const sectionBytes = mrcSectionBytes(options)
  return mode === 1 || mode === 6 ? countedIntoSections(movie, mode, options, sectionBytes) : viaFloatScratch(movie, mode, options, sectionBytes)
}

/**
 * The header a writer puts first while the frames are still being counted: final dimensions,
 * statistics marked "not determined" as MRC2014 allows (DMAX < DMIN, DMEAN below both, RMS < 0).
 */
export function provisionalPreamble(encoder: MrcSectionEncoder, sections: number): Uint8Array {
  const bytes = encodeMrcPreamble(encoder.options, sections, {min: 0, max: -1, sum: -2, sumSquares: 0, count: 1})
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(RMS_OFFSET, -1, true)
  return bytes
}

function checkSection(section: Uint8Array, bytes: number): void {
  if (section.byteLength !== bytes) throw new RangeError(`MRC section buffer has ${section.byteLength} bytes, expected ${bytes}`)
}

function countedIntoSections(movie: PreparedMovie, mode: 1 | 6, options: MrcWriteOptions, sectionBytes: number): MrcSectionEncoder {
  const stats = emptyMrcStatistics()
  const pixels = movie.width * movie.height
  const Values = mode === 1 ? Int16Array : Uint16Array
  return {
    options,
    sectionBytes,
    encode(i, section) {
      checkSection(section, sectionBytes)
      movie.frame(i, new Values(section.buffer as ArrayBuffer, section.byteOffset, pixels), stats)
      return section
    },
    preamble: () => encodeMrcPreamble(options, movie.frameCount, stats),
  }
}

function viaFloatScratch(movie: PreparedMovie, mode: 0 | 2, options: MrcWriteOptions, sectionBytes: number): MrcSectionEncoder {
  const scratch = new Float32Array(movie.width * movie.height)
  const stats = emptyMrcStatistics()
  return {
    options,
    sectionBytes,
    encode(i, section) {
      checkSection(section, sectionBytes)
      return encodeMrcSection(saturateInPlace(movie.frame(i, scratch), MODE_MAX[mode]), mode, true, stats, section)
    },
    preamble: () => encodeMrcPreamble(options, movie.frameCount, stats),
  }
}

/** Clips counts above `max` in place (the frame is scratch). */
export function saturateInPlace(frame: Float32Array, max: number): Float32Array {
  if (!Number.isFinite(max)) return frame
  for (let i = 0; i < frame.length; i++) if (frame[i] > max) frame[i] = max
  return frame
}
