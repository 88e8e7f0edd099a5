// Writes a file the way acquisition software does: in chunks spread over a write time, so a
// watcher sees it grow; optionally stops early and keeps the handle open (a file never finished).
import {open, type FileHandle} from 'node:fs/promises'
import {setTimeout as delay} from 'node:timers/promises'
import {writeAll} from '../../core/formats/file-range.js'

export interface ChunkedWriteOptions {
  /** Seconds from the first to the last chunk. */
  duration: number
  /** Write only the first `stopAt` bytes. */
  stopAt?: number
  /** Leave the file open after the last chunk (the caller closes it later). */
  keepOpen?: boolean
}

/** Chunks: about ten per second of write time, at least one, at most 64. */
function chunkCount(duration: number, bytes: number): number {
  return Math.max(1, Math.min(64, Math.round(duration * 10), Math.ceil(bytes / 4096)))
}

/**
 * Writes the concatenation of `parts` (a file's pieces in order: never assembled in memory).
 * Returns the still-open handle when `keepOpen`, else undefined once the file is closed.
 */
export async function writeInChunks(path: string, parts: readonly Uint8Array[], o: ChunkedWriteOptions): Promise<FileHandle | undefined> {
  const length = parts.reduce((n, p) => n + p.length, 0)
  const total = Math.min(length, o.stopAt ?? length)
  const n = chunkCount(o.duration, total)
  const pause = (o.duration * 1000) / n
  const handle = await open(path, 'w')
  try {
    for (let c = 0; c < n; c++) {
      const from = Math.floor((c * total) / n)
      const to = Math.floor(((c + 1) * total) / n)
      await writeRange(handle, parts, from, to)
      if (c < n - 1 && pause > 0) await delay(pause)
    }
  } catch (e) {
    await handle.close()
    throw e
  }
  if (o.keepOpen) return handle
  await handle.close()
  return undefined
}

/** Writes bytes [from, to) of the concatenated parts at the handle's position. */
async function writeRange(handle: FileHandle, parts: readonly Uint8Array[], from: number, to: number): Promise<void> {
  let offset = 0
  for (const part of parts) {
    const start = Math.max(from, offset)
    const end = Math.min(to, offset + part.length)
    if (start < end) await writeAll(handle, part.subarray(start - offset, end - offset))
    offset += part.length
    if (offset >= to) return
  }
}
