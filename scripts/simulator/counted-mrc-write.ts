// Writes an MRC movie as a camera does: the header first (final dimensions, statistics not yet
// determined), each frame's section as soon as it is counted, and the header with the final
// statistics last. Two staging areas serve the whole movie (staged-file.ts: direct I/O where
// allowed): while one is on its way to the disk (libuv's thread pool does the write), the next
// frame is counted into the other, so the movie is never held in memory and writing overlaps
// counting.
import type {FileHandle} from 'node:fs/promises'
import {setTimeout as delay} from 'node:timers/promises'
import {MRC_HEADER_BYTES} from '../../core/formats/mrc-header.js'
import {mrcPreambleBytes, mrcSectionBytes} from '../../core/formats/mrc-write.js'
import type {PreparedMovie} from './movie.js'
import {mrcOptions, mrcSectionEncoder, provisionalPreamble, type MrcMovieMode} from './mrc-sections.js'
import {StagedFile, writeAt, type SealedRegion} from './staged-file.js'

export interface CountedWriteOptions {
  /** Seconds from the first byte to the last; writes pause only where counting runs ahead. */
  duration: number
  /** Write only the first `stopAt` bytes (no final header unless the file is whole). */
  stopAt?: number
  /** Leave the file open after the last write (the caller closes it later). */
  keepOpen?: boolean
  /** Applied to each header before it is written (the corrupt-header fault). */
  garbleHeader?: (preamble: Uint8Array) => Uint8Array
  /** Default true: O_DIRECT where the file system allows it (staged-file.ts). */
  directIo?: boolean
}

/** Writes pieces of about this many seconds of the write time, so a watcher sees the file grow. */
const PIECE_SECONDS = 0.1
const MAX_PIECES_PER_SECTION = 64

/** Bytes of the finished file. */
export function countedMrcLength(movie: PreparedMovie, mode: MrcMovieMode): number {
  const options = mrcOptions(movie, mode)
  return mrcPreambleBytes(options, movie.frameCount) + movie.frameCount * mrcSectionBytes(options)
}

/**
 * Counts and writes `movie` to `path` in MRC `mode`. Returns the still-open handle when
 * `keepOpen`, else undefined once the file is closed.
 */
export async function writeCountedMrc(path: string, movie: PreparedMovie, mode: MrcMovieMode, o: CountedWriteOptions): Promise<FileHandle | undefined> {
  const encoder = mrcSectionEncoder(movie, mode)
  const garble = o.garbleHeader ?? ((preamble: Uint8Array) => preamble)
  const first = garble(provisionalPreamble(encoder, movie.frameCount))
  const sectionBytes = encoder.sectionBytes
  const total = first.length + movie.frameCount * sectionBytes
  const stopAt = Math.min(total, o.stopAt ?? total)
  const file = await StagedFile.create(path, Math.max(first.length, sectionBytes), o.directIo ?? true)
  const paced = pacedWrites(file, o.duration, total, stopAt)
  const write = (region: SealedRegion) => {
    const written = paced(region)
    // Handled when awaited; this keeps a failure during the next frame's counting from being
    // reported as an unhandled rejection.
    written.catch(() => {})
    return written
  }
  try {
    file.stage(first.length).set(first)
    let inFlight = write(file.seal(first.length))
    // Frame i is counted into one area while the previous region's write is in flight.
    for (let i = 0; i < movie.frameCount && first.length + i * sectionBytes < stopAt; i++) {
      encoder.encode(i, file.stage(sectionBytes))
      await inFlight
      inFlight = write(file.seal(sectionBytes))
    }
    await inFlight
    await file.flush(stopAt)
    if (stopAt === total) await writeAt(file.handle, garble(encoder.preamble()).subarray(0, MRC_HEADER_BYTES), 0)
    await file.closeDirect()
  } catch (e) {
    await file.closeDirect()
    await file.handle.close()
    throw e
  }
  if (o.keepOpen) return file.handle
  await file.handle.close()
  return undefined
}

/** Writes each sealed region (nothing past stopAt) in pieces spread over the write time. */
function pacedWrites(file: StagedFile, duration: number, total: number, stopAt: number): (region: SealedRegion) => Promise<void> {
  const start = performance.now()
  const waitFor = async (end: number) => {
    const due = start + (duration * 1000 * end) / total - performance.now()
    if (end < stopAt && due > 0) await delay(due)
  }
  return async (region) => {
    const length = Math.max(0, Math.min(region.bytes.length, stopAt - region.position))
    const pieces = Math.min(MAX_PIECES_PER_SECTION, Math.max(1, Math.ceil((duration * length) / total / PIECE_SECONDS)))
    const align = file.alignment
    for (let p = 0, from = 0; p < pieces && from < length; p++) {
      const to = p === pieces - 1 ? length : Math.min(length, Math.ceil((length * (p + 1)) / pieces / align) * align)
      await file.write(region, from, to)
      await waitFor(region.position + to)
      from = to
    }
  }
}
