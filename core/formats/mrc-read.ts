// MRC2014 reading: pure decoding of bytes, plus file edges that read the header and one
// section at a time through a FileHandle (a 1.5 GB stack is never held whole).
import type {FileHandle} from 'node:fs/promises'
import {createImage, type Image2D} from '../numeric/image.js'
import {FormatError} from './errors.js'
import {HOST_LITTLE_ENDIAN, openForReading, readInto, readRange} from './file-range.js'
import {decodeMrcHeader, MRC_HEADER_BYTES, type MrcHeader} from './mrc-header.js'
import {decodeFeiExtendedHeader, FEI_FIRST_BLOCK_BYTES, isFeiExtendedHeader, type ExtendedHeaderInfo} from './mrc-extended-header.js'
import {assertReadableMrc} from './mrc-validate.js'
import type {ModeCodec} from './mrc-modes.js'

export type {MrcHeader} from './mrc-header.js'

export interface MrcFile {
  path: string
  header: MrcHeader
  width: number
  height: number
  /** Number of sections (frames of a movie). */
  depth: number
  /** Angstrom per pixel: CELLA.x / MX, else the FEI extended header's; 0 when the file records none. */
  pixelSize: number
  /** Electrons per A^2 per frame from an FEI1/FEI2 extended header, when present. */
  dosePerFrame?: number
  /** Section i (0-based) as float32, row-major, in file orientation. */
  readSection(index: number): Promise<Float32Array>
  close(): Promise<void>
}

/** Pixel size in A from CELLA/MX, falling back to the extended header. 0 when neither records one. */
export function mrcPixelSize(header: MrcHeader, extended: ExtendedHeaderInfo = {}): number {
  const fromCell = header.mx > 0 ? header.cella[0] / header.mx : 0
  return Number.isFinite(fromCell) && fromCell > 0 ? fromCell : (extended.pixelSize ?? 0)
}

/** Decodes one section's bytes; float modes reject NaN/Inf with the pixel that has it. */
export function decodeMrcSection(bytes: Uint8Array, header: MrcHeader, codec: ModeCodec, file: string, index: number): Float32Array {
  const out = new Float32Array(header.nx * header.ny)
  codec.decode(bytes, header.nx, header.ny, header.littleEndian, out)
  if (codec.mode === 2 || codec.mode === 12) assertFinite(out, file, index, header.nx)
  return out
}

function assertFinite(values: Float32Array, file: string, section: number, nx: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new FormatError(file, 'non-finite', `section ${section} has a ${values[i]} pixel at x=${i % nx}, y=${Math.floor(i / nx)}`)
    }
  }
}

/** Pure whole-file decoding (small files, tests): header, extended-header info and every section. */
export function decodeMrc(bytes: Uint8Array, file = '<bytes>'): {header: MrcHeader; extended: ExtendedHeaderInfo; sections: Float32Array[]} {
  const header = decodeMrcHeader(bytes.subarray(0, MRC_HEADER_BYTES), file)
  const codec = assertReadableMrc(header, file, bytes.byteLength)
  const extended = isFeiExtendedHeader(header.exttyp)
    ? decodeFeiExtendedHeader(bytes.subarray(MRC_HEADER_BYTES, MRC_HEADER_BYTES + header.nsymbt), header.littleEndian)
    : {}
  const sectionBytes = codec.sectionBytes(header.nx, header.ny)
  const start = MRC_HEADER_BYTES + header.nsymbt
  const sections = Array.from({length: header.nz}, (_, i) =>
    decodeMrcSection(bytes.subarray(start + i * sectionBytes, start + (i + 1) * sectionBytes), header, codec, file, i),
  )
  return {header, extended, sections}
}

async function readHeaderFrom(handle: FileHandle, path: string): Promise<{header: MrcHeader; codec: ModeCodec; size: number}> {
  const {size} = await handle.stat()
  if (size === 0) throw new FormatError(path, 'empty', 'file is empty (0 bytes)')
  if (size < MRC_HEADER_BYTES) throw new FormatError(path, 'truncated', `file is ${size} bytes, shorter than the 1024-byte MRC header`)
  const header = decodeMrcHeader(await readRange(handle, path, 0, MRC_HEADER_BYTES), path)
  return {header, codec: assertReadableMrc(header, path, size), size}
}

/** Header only (1024 bytes read), validated against the file size. */
export async function readMrcHeader(path: string): Promise<MrcHeader> {
  const handle = await openForReading(path)
  try {
    return (await readHeaderFrom(handle, path)).header
  } finally {
    await handle.close()
  }
}

export async function openMrc(path: string): Promise<MrcFile> {
  const handle = await openForReading(path)
  try {
    const {header, codec} = await readHeaderFrom(handle, path)
    const extended = isFeiExtendedHeader(header.exttyp) && header.nsymbt >= FEI_FIRST_BLOCK_BYTES
      ? decodeFeiExtendedHeader(await readRange(handle, path, MRC_HEADER_BYTES, FEI_FIRST_BLOCK_BYTES), header.littleEndian)
      : {}
    const sectionBytes = codec.sectionBytes(header.nx, header.ny)
    const dataStart = MRC_HEADER_BYTES + header.nsymbt
    return {
      path,
      header,
      width: header.nx,
      height: header.ny,
      depth: header.nz,
      pixelSize: mrcPixelSize(header, extended),
      dosePerFrame: extended.dosePerFrame,
      async readSection(index) {
        if (!Number.isInteger(index) || index < 0 || index >= header.nz) {
          throw new FormatError(path, 'out-of-range', `section ${index} requested, file has sections 0..${header.nz - 1}`)
        }
        const position = dataStart + index * sectionBytes
        if (codec.mode === 2 && header.littleEndian === HOST_LITTLE_ENDIAN) {
          // Float32 in host order: read straight into the result, no intermediate copy.
          const out = new Float32Array(header.nx * header.ny)
          await readInto(handle, path, position, new Uint8Array(out.buffer))
          assertFinite(out, path, index, header.nx)
          return out
        }
        return decodeMrcSection(await readRange(handle, path, position, sectionBytes), header, codec, path, index)
      },
      close: () => handle.close(),
    }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** The first section as an image (micrographs). */
export async function readMrcImage(path: string): Promise<{image: Image2D; header: MrcHeader; pixelSize: number}> {
  const mrc = await openMrc(path)
  try {
    const data = await mrc.readSection(0)
    return {image: createImage(mrc.width, mrc.height, data), header: mrc.header, pixelSize: mrc.pixelSize}
  } finally {
    await mrc.close()
  }
}
