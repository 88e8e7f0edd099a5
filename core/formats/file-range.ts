// Thin async file edge: open a file for reading (regular files only), read one byte range of
// it, so large stacks are never held whole.
import {constants, type Stats} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {FormatError} from './errors.js'

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO'
  if (s.isSocket()) return 'a socket'
  if (s.isDirectory()) return 'a directory'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device'
  return 'not a plain file'
}

/**
 * Opens a regular file for reading. O_NONBLOCK makes opening a FIFO return at once instead of
 * waiting for a writer (a blocked open would hold a thread of the fs pool for good); on a regular
 * file it changes nothing. Anything else is refused with a FormatError naming what it is.
 */
export async function openForReading(file: string): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const s = await handle.stat()
    if (!s.isFile()) throw new FormatError(file, 'not-regular', `${kindOf(s)}, not a regular file`)
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** Reads exactly `length` bytes at `position`; a short read means the file is truncated. */
export async function readRange(handle: FileHandle, file: string, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length)
  await readInto(handle, file, position, bytes)
  return bytes
}

/** Fills `target` from `position` (lets a caller read straight into a typed array's memory). */
export async function readInto(handle: FileHandle, file: string, position: number, target: Uint8Array): Promise<void> {
  let done = 0
  while (done < target.byteLength) {
    const {bytesRead} = await handle.read(target, done, target.byteLength - done, position + done)
    if (bytesRead === 0) {
      throw new FormatError(file, 'truncated', `file ends at byte ${position + done}, needed ${target.byteLength} bytes from byte ${position}`)
    }
    done += bytesRead
  }
}

/** A DataView over the bytes of a Uint8Array (which may be a window into a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Writes all of `bytes` at the current position (a single write may be partial). */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0
  while (done < bytes.byteLength) {
    const {bytesWritten} = await handle.write(bytes, done, bytes.byteLength - done)
    done += bytesWritten
  }
}

/** Byte order of this machine: typed-array views are only valid for data in this order. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
