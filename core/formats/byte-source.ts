// Random access to bytes, from memory or an open file: parsers of container formats (TIFF, EER)
// are written once against this and read only what they need.
import type {FileHandle} from 'node:fs/promises'
import {FormatError} from './errors.js'
import {readRange} from './file-range.js'

export interface ByteSource {
  /** The file name used in errors. */
  readonly name: string
  readonly size: number
  /** Exactly `length` bytes at `position`; a FormatError 'truncated' past the end. */
  read(position: number, length: number): Promise<Uint8Array>
}

function checkRange(name: string, size: number, position: number, length: number): void {
  if (position < 0 || length < 0 || position + length > size) {
    throw new FormatError(name, 'truncated', `needs bytes ${position}..${position + length} but the file has ${size} bytes`)
  }
}

export function memorySource(bytes: Uint8Array, name = '<bytes>'): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(position, length) {
      checkRange(name, bytes.byteLength, position, length)
      return bytes.subarray(position, position + length)
    },
  }
}

export async function fileSource(handle: FileHandle, name: string): Promise<ByteSource> {
  const {size} = await handle.stat()
  return {
    name,
    size,
    async read(position, length) {
      checkRange(name, size, position, length)
      return readRange(handle, name, position, length)
    },
  }
}
