// Multi-page TIFF movies: 8/16-bit integer and 32-bit float samples, uncompressed, LZW or deflate.
// Read one page at a time (its strips only); frames come out Y-flipped into MRC orientation, as
// RELION reads TIFF. The writer flips back, so write(read(x)) keeps the picture.
import {open} from 'node:fs/promises'
import {unzlibSync, zlibSync} from 'fflate'
import {fileSource, memorySource, type ByteSource} from './byte-source.js'
import {FormatError} from './errors.js'
import {HOST_LITTLE_ENDIAN, openForReading, viewOf, writeAll} from './file-range.js'
import {lzwDecode, lzwEncode} from './lzw.js'
import {flipRows} from './orientation.js'
import {readTiffStructure, type TiffPage, type TiffStructure} from './tiff-structure.js'
import {tiffFileChunks, type PageToWrite} from './tiff-writer.js'

export const TIFF_COMPRESSION = {none: 1, lzw: 5, deflate: 8, adobeDeflate: 32946} as const
export type TiffCompressionName = 'none' | 'lzw' | 'deflate'
export type TiffBits = 8 | 16 | 32

const SAMPLE_FORMAT = {unsigned: 1, signed: 2, float: 3} as const

/** Why a page cannot be decoded as a movie frame, or undefined when it can. */
export function unsupportedPageReason(page: TiffPage): string | undefined {
  const {bitsPerSample: bits, sampleFormat: format, compression} = page
  if (page.samplesPerPixel !== 1) return `${page.samplesPerPixel} samples per pixel (movies are single-channel)`
  if (page.tiled) return 'tiled TIFF (only strips are supported)'
  if (![1, 5, 8, 32946].includes(compression)) return `compression ${compression} (supported: none 1, LZW 5, deflate 8/32946)`
  const integer = (bits === 8 || bits === 16) && (format === SAMPLE_FORMAT.unsigned || format === SAMPLE_FORMAT.signed)
  const float = bits === 32 && format === SAMPLE_FORMAT.float
  if (!integer && !float) return `${bits}-bit samples of format ${format} (supported: 8/16-bit integer, 32-bit float)`
  if (page.predictor !== 1 && !(page.predictor === 2 && integer)) return `predictor ${page.predictor}`
  return undefined
}

function decompressStrip(page: TiffPage, raw: Uint8Array, expected: number, file: string, strip: number): Uint8Array {
  try {
    if (page.compression === TIFF_COMPRESSION.none) {
      if (raw.byteLength < expected) throw new Error(`holds ${raw.byteLength} bytes, expected ${expected}`)
      return raw.subarray(0, expected)
    }
    if (page.compression === TIFF_COMPRESSION.lzw) return lzwDecode(raw, expected)
    const inflated = unzlibSync(raw)
    if (inflated.byteLength < expected) throw new Error(`inflates to ${inflated.byteLength} bytes, expected ${expected}`)
    return inflated.subarray(0, expected)
  } catch (error) {
    // LzwError, fflate's stream errors and short strips alike: the strip is corrupt.
    throw new FormatError(file, 'corrupt', `page ${page.index} strip ${strip}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Undoes horizontal differencing (predictor 2) in place, row by row. */
function undoPredictor(bytes: Uint8Array, page: TiffPage, rows: number, le: boolean): void {
  const width = page.width
  if (page.bitsPerSample === 8) {
    for (let r = 0; r < rows; r++) for (let x = 1; x < width; x++) bytes[r * width + x] += bytes[r * width + x - 1]
    return
  }
  const view = viewOf(bytes)
  for (let r = 0; r < rows; r++) {
    for (let x = 1; x < width; x++) {
      const at = 2 * (r * width + x)
      view.setUint16(at, view.getUint16(at, le) + view.getUint16(at - 2, le), le)
    }
  }
}

/** Typed-array view of the samples when the byte order matches the host (copied if unaligned). */
function nativeSamples(bytes: Uint8Array, page: TiffPage): Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array {
  const {bitsPerSample: bits, sampleFormat: format} = page
  if (bits === 8) return format === SAMPLE_FORMAT.signed ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
  const size = bits / 8
  const source = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes) // a copy, even for a Buffer (whose slice() is a view)
  const count = source.byteLength / size
  if (bits === 32) return new Float32Array(source.buffer, source.byteOffset, count)
  return format === SAMPLE_FORMAT.signed ? new Int16Array(source.buffer, source.byteOffset, count) : new Uint16Array(source.buffer, source.byteOffset, count)
}

function samplesToFloat(bytes: Uint8Array, page: TiffPage, le: boolean, out: Float32Array, start: number, count: number): void {
  if (le === HOST_LITTLE_ENDIAN || page.bitsPerSample === 8) {
    const samples = nativeSamples(bytes.subarray(0, count * (page.bitsPerSample / 8)), page)
    out.set(samples, start) // typed-array set converts natively
    return
  }
  const view = viewOf(bytes)
  const {bitsPerSample: bits, sampleFormat: format} = page
  const signed = format === SAMPLE_FORMAT.signed
  for (let i = 0; i < count; i++) {
    out[start + i] = bits === 16 ? (signed ? view.getInt16(2 * i, le) : view.getUint16(2 * i, le)) : view.getFloat32(4 * i, le)
  }
}

/** Decodes one page from its strips' raw bytes; rows in file order (top row first). */
export function decodeTiffPage(page: TiffPage, strips: Uint8Array[], littleEndian: boolean, file: string): Float32Array {
  const reason = unsupportedPageReason(page)
  if (reason) throw new FormatError(file, 'unknown-mode', `page ${page.index}: ${reason}`)
  const out = new Float32Array(page.width * page.height)
  const rowBytes = page.width * (page.bitsPerSample / 8)
  const stripsNeeded = Math.ceil(page.height / page.rowsPerStrip)
  if (strips.length < stripsNeeded) {
    throw new FormatError(file, 'corrupt', `page ${page.index} has ${strips.length} strips, ${stripsNeeded} needed for ${page.height} rows`)
  }
  for (let s = 0; s < stripsNeeded; s++) {
    const firstRow = s * page.rowsPerStrip
    const rows = Math.min(page.rowsPerStrip, page.height - firstRow)
    const bytes = decompressStrip(page, strips[s], rows * rowBytes, file, s)
    if (page.predictor === 2) undoPredictor(bytes, page, rows, littleEndian)
    if (page.bitsPerSample === 32) assertFinite(bytes, page, littleEndian, file, firstRow, rows)
    samplesToFloat(bytes, page, littleEndian, out, firstRow * page.width, rows * page.width)
  }
  return out
}

function assertFinite(bytes: Uint8Array, page: TiffPage, le: boolean, file: string, firstRow: number, rows: number): void {
  const view = viewOf(bytes)
  for (let i = 0; i < rows * page.width; i++) {
    const v = view.getFloat32(4 * i, le)
    if (!Number.isFinite(v)) {
      const row = firstRow + Math.floor(i / page.width)
      throw new FormatError(file, 'non-finite', `page ${page.index} has a ${v} pixel at x=${i % page.width}, TIFF row ${row}`)
    }
  }
}

/** The raw strip bytes of one page: one read when the strips are contiguous, else one per strip. */
export async function readPageStrips(source: ByteSource, page: TiffPage): Promise<Uint8Array[]> {
  const {stripOffsets: offsets, stripByteCounts: counts} = page
  const contiguous = offsets.every((o, i) => i === 0 || o === offsets[i - 1] + counts[i - 1])
  if (!contiguous) return Promise.all(offsets.map((o, i) => source.read(o, counts[i])))
  const total = counts.reduce((a, b) => a + b, 0)
  const span = await source.read(offsets[0], total)
  return offsets.map((o, i) => span.subarray(o - offsets[0], o - offsets[0] + counts[i]))
}

export interface TiffReader {
  path: string
  width: number
  height: number
  frameCount: number
  structure: TiffStructure
  /** Frame i in MRC orientation (Y-flipped). */
  readFrame(index: number): Promise<Float32Array>
  close(): Promise<void>
}

/** Most bytes one stored byte can expand to: deflate's limit is 1032, LZW's (12-bit codes) about 1300. */
const MAX_EXPANSION: Record<number, number> = {1: 1, 5: 1400, 8: 1100, 32946: 1100}

/** Every page must be a frame of the same size and a decodable sample layout. */
function checkMoviePages(structure: TiffStructure, file: string): void {
  const [first] = structure.pages
  if (first.width * first.height > 2 ** 28) {
    throw new FormatError(file, 'absurd-dimensions', `page of ${first.width} x ${first.height} pixels exceeds the 2^28-pixel limit`)
  }
  for (const page of structure.pages) {
    const reason = unsupportedPageReason(page)
    if (reason) throw new FormatError(file, 'unknown-mode', `page ${page.index}: ${reason}`)
    // Before allocating a frame: could the strips even hold it? (A tiny file claiming 2^28 pixels.)
    const stored = page.stripByteCounts.reduce((a, b) => a + b, 0)
    const raw = page.width * page.height * (page.bitsPerSample / 8)
    if (stored * MAX_EXPANSION[page.compression] < raw) {
      throw new FormatError(file, 'size-mismatch', `page ${page.index} claims ${page.width} x ${page.height} pixels but its strips hold only ${stored} bytes`)
    }
    if (page.width !== first.width || page.height !== first.height) {
      throw new FormatError(file, 'corrupt', `page ${page.index} is ${page.width} x ${page.height}, page 0 is ${first.width} x ${first.height}`)
    }
  }
}

function tiffReader(source: ByteSource, structure: TiffStructure, close: () => Promise<void>): TiffReader {
  checkMoviePages(structure, source.name)
  const {pages, littleEndian} = structure
  const {width, height} = pages[0]
  return {
    path: source.name,
    width,
    height,
    frameCount: pages.length,
    structure,
    async readFrame(index) {
      if (!Number.isInteger(index) || index < 0 || index >= pages.length) {
        throw new FormatError(source.name, 'out-of-range', `frame ${index} requested, movie has frames 0..${pages.length - 1}`)
      }
      const page = pages[index]
      const data = decodeTiffPage(page, await readPageStrips(source, page), littleEndian, source.name)
      return flipRows(data, width, height)
    },
    close,
  }
}

export async function openTiff(path: string): Promise<TiffReader> {
  const handle = await openForReading(path)
  try {
    const source = await fileSource(handle, path)
    return tiffReader(source, await readTiffStructure(source), () => handle.close())
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** Pure whole-buffer decoding: every frame in MRC orientation. */
export async function decodeTiffMovie(bytes: Uint8Array, file = '<bytes>'): Promise<{width: number; height: number; frames: Float32Array[]}> {
  const source = memorySource(bytes, file)
  const reader = tiffReader(source, await readTiffStructure(source), async () => {})
  const frames: Float32Array[] = []
  for (let i = 0; i < reader.frameCount; i++) frames.push(await reader.readFrame(i))
  return {width: reader.width, height: reader.height, frames}
}

export interface TiffMovieOptions {
  width: number
  height: number
  /** 8/16: unsigned integers (values rounded, must fit); 32: IEEE float. */
  bitsPerSample: TiffBits
  compression: TiffCompressionName
  /** Rows per strip; default: strips of about 256 KiB uncompressed. */
  rowsPerStrip?: number
}

function frameSamples(frame: Float32Array, bits: TiffBits, index: number): Uint8Array {
  if (bits === 32) return new Uint8Array(Float32Array.from(frame).buffer)
  const max = bits === 8 ? 255 : 65535
  const typed = bits === 8 ? new Uint8Array(frame.length) : new Uint16Array(frame.length)
  for (let i = 0; i < frame.length; i++) {
    const v = Math.round(frame[i])
    if (!(v >= 0 && v <= max)) throw new RangeError(`frame ${index} value ${frame[i]} does not fit ${bits}-bit unsigned TIFF samples`)
    typed[i] = v
  }
  return new Uint8Array(typed.buffer)
}

function compress(raw: Uint8Array, compression: TiffCompressionName): Uint8Array {
  if (compression === 'lzw') return lzwEncode(raw)
  if (compression === 'deflate') return zlibSync(raw, {level: 6})
  return raw
}

/** Page i of a movie: frame flipped into TIFF row order, split into strips, compressed. */
function moviePage(frame: Float32Array, index: number, opts: TiffMovieOptions): PageToWrite {
  const {width, height, bitsPerSample: bits} = opts
  if (frame.length !== width * height) throw new RangeError(`frame ${index} has ${frame.length} values, expected ${width} x ${height}`)
  const rowBytes = width * (bits / 8)
  const rowsPerStrip = Math.min(height, opts.rowsPerStrip ?? Math.max(1, Math.floor(262144 / rowBytes)))
  const samples = frameSamples(flipRows(frame, width, height), bits, index)
  const strips: Uint8Array[] = []
  for (let row = 0; row < height; row += rowsPerStrip) {
    strips.push(compress(samples.subarray(row * rowBytes, Math.min(height, row + rowsPerStrip) * rowBytes), opts.compression))
  }
  const sampleFormat = bits === 32 ? SAMPLE_FORMAT.float : SAMPLE_FORMAT.unsigned
  return {width, height, bitsPerSample: bits, compression: TIFF_COMPRESSION[opts.compression], sampleFormat, rowsPerStrip, strips}
}

const tiffChunks = (frames: Float32Array[], opts: TiffMovieOptions) => tiffFileChunks(frames.length, (i) => moviePage(frames[i], i, opts))

export function encodeTiffMovie(frames: Float32Array[], opts: TiffMovieOptions): Uint8Array {
  return Buffer.concat([...tiffChunks(frames, opts)])
}

export async function writeTiffMovie(path: string, frames: Float32Array[], opts: TiffMovieOptions): Promise<void> {
  const handle = await open(path, 'w')
  try {
    for (const chunk of tiffChunks(frames, opts)) await writeAll(handle, chunk)
  } finally {
    await handle.close()
  }
}
