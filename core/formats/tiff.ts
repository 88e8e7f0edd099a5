// Multi-page TIFF movies: 8/16-bit integer and 32-bit float samples, uncompressed, LZW or deflate.
// Read one page at a time (its strips only); frames come out Y-flipped into MRC orientation, as
// RELION reads TIFF. The writer flips back, so write(read(x)) keeps the picture.
import {open} from 'node:fs/promises'
import {unzlibSync, zlibSync} from 'fflate'
import {fileSource, memorySource, type ByteSource} from './byte-source.js'
import {FormatError} from './errors.js'
import {viewOf, writeAll} from './file-range.js'
import {lzwDecode, lzwEncode, LzwError} from './lzw.js'
import {flipRows} from './orientation.js'
import {readTiffStructure, TAG, type TiffPage, type TiffStructure} from './tiff-structure.js'

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
    const reason = error instanceof LzwError || error instanceof Error ? error.message : String(error)
    throw new FormatError(file, 'corrupt', `page ${page.index} strip ${strip}: ${reason}`)
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

function samplesToFloat(bytes: Uint8Array, page: TiffPage, le: boolean, out: Float32Array, start: number, count: number): void {
  const view = viewOf(bytes)
  const {bitsPerSample: bits, sampleFormat: format} = page
  const signed = format === SAMPLE_FORMAT.signed
  for (let i = 0; i < count; i++) {
    let v: number
    if (bits === 8) v = signed ? view.getInt8(i) : bytes[i]
    else if (bits === 16) v = signed ? view.getInt16(2 * i, le) : view.getUint16(2 * i, le)
    else v = view.getFloat32(4 * i, le)
    out[start + i] = v
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

/** Every page must be a frame of the same size and a decodable sample layout. */
function checkMoviePages(structure: TiffStructure, file: string): void {
  const [first] = structure.pages
  for (const page of structure.pages) {
    const reason = unsupportedPageReason(page)
    if (reason) throw new FormatError(file, 'unknown-mode', `page ${page.index}: ${reason}`)
    if (page.width !== first.width || page.height !== first.height) {
      throw new FormatError(file, 'corrupt', `page ${page.index} is ${page.width} x ${page.height}, page 0 is ${first.width} x ${first.height}`)
    }
  }
  if (first.width * first.height > 2 ** 28) {
    throw new FormatError(file, 'absurd-dimensions', `page of ${first.width} x ${first.height} pixels exceeds the 2^28-pixel limit`)
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
  const handle = await open(path, 'r')
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

interface IfdEntry {
  tag: number
  type: 3 | 4
  values: number[]
}

/** One page: its IFD first, then out-of-line arrays, then strips; `next` = where the following IFD goes. */
function encodePage(frame: Float32Array, index: number, opts: TiffMovieOptions, at: number, last: boolean): Uint8Array[] {
  const {width, height, bitsPerSample: bits} = opts
  if (frame.length !== width * height) throw new RangeError(`frame ${index} has ${frame.length} values, expected ${width} x ${height}`)
  const rowBytes = width * (bits / 8)
  const rowsPerStrip = Math.min(height, opts.rowsPerStrip ?? Math.max(1, Math.floor(262144 / rowBytes)))
  const samples = frameSamples(flipRows(frame, width, height), bits, index)
  const strips: Uint8Array[] = []
  for (let row = 0; row < height; row += rowsPerStrip) {
    strips.push(compress(samples.subarray(row * rowBytes, Math.min(height, row + rowsPerStrip) * rowBytes), opts.compression))
  }
  const entries: IfdEntry[] = [
    {tag: TAG.ImageWidth, type: 4, values: [width]},
    {tag: TAG.ImageLength, type: 4, values: [height]},
    {tag: TAG.BitsPerSample, type: 3, values: [bits]},
    {tag: TAG.Compression, type: 3, values: [TIFF_COMPRESSION[opts.compression]]},
    {tag: TAG.Photometric, type: 3, values: [1]}, // BlackIsZero
    {tag: TAG.StripOffsets, type: 4, values: []},
    {tag: TAG.SamplesPerPixel, type: 3, values: [1]},
    {tag: TAG.RowsPerStrip, type: 4, values: [rowsPerStrip]},
    {tag: TAG.StripByteCounts, type: 4, values: strips.map((s) => s.byteLength)},
    {tag: TAG.PlanarConfiguration, type: 3, values: [1]},
    {tag: TAG.SampleFormat, type: 3, values: [bits === 32 ? SAMPLE_FORMAT.float : SAMPLE_FORMAT.unsigned]},
  ]
  const ifdBytes = 2 + 12 * entries.length + 4
  const outOfLine = strips.length > 1 ? 8 * strips.length : 0
  let offset = at + ifdBytes + outOfLine
  entries[5].values = strips.map((s) => {
    const o = offset
    offset += s.byteLength
    return o
  })
  const pad = offset % 2 // keep the next IFD on a word boundary
  const ifd = encodeIfd(entries, at + ifdBytes, last ? 0 : offset + pad)
  return [ifd, ...strips, new Uint8Array(pad)]
}

function encodeIfd(entries: IfdEntry[], extraAt: number, next: number): Uint8Array {
  const extras = entries.filter((e) => e.values.length * (e.type === 3 ? 2 : 4) > 4)
  const extraBytes = extras.reduce((n, e) => n + e.values.length * (e.type === 3 ? 2 : 4), 0)
  const bytes = new Uint8Array(2 + 12 * entries.length + 4 + extraBytes)
  const view = viewOf(bytes)
  view.setUint16(0, entries.length, true)
  let extraOffset = extraAt
  entries.forEach((entry, i) => {
    const at = 2 + 12 * i
    view.setUint16(at, entry.tag, true)
    view.setUint16(at + 2, entry.type, true)
    view.setUint32(at + 4, entry.values.length, true)
    const size = entry.type === 3 ? 2 : 4
    const inline = entry.values.length * size <= 4
    const base = inline ? at + 8 : extraOffset - extraAt + 2 + 12 * entries.length + 4
    entry.values.forEach((v, j) => (size === 2 ? view.setUint16(base + 2 * j, v, true) : view.setUint32(base + 4 * j, v, true)))
    if (!inline) {
      view.setUint32(at + 8, extraOffset, true)
      extraOffset += entry.values.length * size
    }
  })
  view.setUint32(2 + 12 * entries.length, next, true)
  return bytes
}

const TIFF_HEADER = Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]) // little-endian, first IFD at byte 8

/** Header then pages, produced one page at a time. Frames are given in MRC orientation. */
function* tiffChunks(frames: Float32Array[], opts: TiffMovieOptions): Generator<Uint8Array> {
  if (frames.length === 0) throw new RangeError('a TIFF movie needs at least one frame')
  yield TIFF_HEADER
  let at = TIFF_HEADER.length
  for (let i = 0; i < frames.length; i++) {
    for (const chunk of encodePage(frames[i], i, opts, at, i === frames.length - 1)) {
      at += chunk.byteLength
      yield chunk
    }
  }
}

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
