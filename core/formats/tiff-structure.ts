// TIFF container structure: header and the IFD chain, read entry by entry from a ByteSource so a
// 600 MB movie costs a few kilobytes to index. Pixel data are decoded elsewhere (tiff.ts, eer.ts).
import type {ByteSource} from './byte-source.js'
import {FormatError} from './errors.js'
import {viewOf} from './file-range.js'

export const TAG = {
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  SampleFormat: 339,
} as const

/** Bytes per value of each TIFF field type (1 BYTE ... 12 DOUBLE). */
const TYPE_SIZE: Record<number, number> = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
const MAX_ENTRIES = 1024
const TYPICAL_ENTRIES = 20
/** More pages than any movie has (EER: ~1000-2000 hardware frames); guards against loops and junk. */
export const MAX_PAGES = 100_000

export interface TiffPage {
  index: number
  ifdOffset: number
  width: number
  height: number
  bitsPerSample: number
  samplesPerPixel: number
  /** 1 unsigned integer, 2 signed integer, 3 IEEE float. */
  sampleFormat: number
  compression: number
  predictor: number
  rowsPerStrip: number
  stripOffsets: number[]
  stripByteCounts: number[]
  tiled: boolean
  planarConfiguration: number
}

export interface TiffStructure {
  littleEndian: boolean
  pages: TiffPage[]
}

type FieldValue = number[] | string

async function readEntryValue(source: ByteSource, entry: DataView, le: boolean, entryOffset: number): Promise<FieldValue | undefined> {
  const type = entry.getUint16(2, le)
  const count = entry.getUint32(4, le)
  const size = TYPE_SIZE[type]
  if (size === undefined) return undefined // unknown types are skipped, as the TIFF spec asks
  const bytesNeeded = size * count
  if (bytesNeeded > source.size) {
    throw new FormatError(source.name, 'corrupt', `IFD entry at byte ${entryOffset} claims ${count} values, more than the file holds`)
  }
  const bytes = bytesNeeded <= 4
    ? new Uint8Array(entry.buffer, entry.byteOffset + 8, 4)
    : await source.read(entry.getUint32(8, le), bytesNeeded)
  const view = viewOf(bytes)
  if (type === 2) return String.fromCharCode(...bytes.subarray(0, count)).replace(/\0+$/, '')
  const values: number[] = new Array(count)
  for (let i = 0; i < count; i++) {
    switch (type) {
      case 3: values[i] = view.getUint16(2 * i, le); break
      case 4: values[i] = view.getUint32(4 * i, le); break
      case 8: values[i] = view.getInt16(2 * i, le); break
      case 9: values[i] = view.getInt32(4 * i, le); break
      case 6: values[i] = view.getInt8(i); break
      case 11: values[i] = view.getFloat32(4 * i, le); break
      case 12: values[i] = view.getFloat64(8 * i, le); break
      case 5: values[i] = view.getUint32(8 * i, le) / view.getUint32(8 * i + 4, le); break
      case 10: values[i] = view.getInt32(8 * i, le) / view.getInt32(8 * i + 4, le); break
      default: values[i] = bytes[i]
    }
  }
  return values
}

/** The tags of one IFD and the offset of the next (0 at the end of the chain). */
export async function readIfd(source: ByteSource, offset: number, le: boolean): Promise<{tags: Map<number, FieldValue>; next: number}> {
  if (offset + 2 > source.size) {
    throw new FormatError(source.name, 'truncated', `IFD at byte ${offset} lies past the end of the file (${source.size} bytes)`)
  }
  // One read covers the count and a typical IFD (movies have 10-20 entries); a second only if longer.
  const first = await source.read(offset, Math.min(2 + 12 * TYPICAL_ENTRIES + 4, source.size - offset))
  const count = viewOf(first).getUint16(0, le)
  if (count === 0 || count > MAX_ENTRIES) throw new FormatError(source.name, 'corrupt', `IFD at byte ${offset} has ${count} entries`)
  const tableBytes = count * 12 + 4
  const entries = first.byteLength >= 2 + tableBytes ? first.subarray(2, 2 + tableBytes) : await source.read(offset + 2, tableBytes)
  const view = viewOf(entries)
  const tags = new Map<number, FieldValue>()
  for (let i = 0; i < count; i++) {
    const entry = new DataView(entries.buffer, entries.byteOffset + 12 * i, 12)
    const value = await readEntryValue(source, entry, le, offset + 2 + 12 * i)
    if (value !== undefined) tags.set(entry.getUint16(0, le), value)
  }
  return {tags, next: view.getUint32(count * 12, le)}
}

function numberTag(tags: Map<number, FieldValue>, tag: number, fallback?: number): number {
  const value = tags.get(tag)
  if (Array.isArray(value) && value.length > 0) return value[0]
  if (fallback === undefined) throw new Error(`missing tag ${tag}`)
  return fallback
}

function arrayTag(tags: Map<number, FieldValue>, tag: number): number[] {
  const value = tags.get(tag)
  return Array.isArray(value) ? value : []
}

function pageFrom(tags: Map<number, FieldValue>, index: number, ifdOffset: number, name: string): TiffPage {
  let width: number
  let height: number
  try {
    width = numberTag(tags, TAG.ImageWidth)
    height = numberTag(tags, TAG.ImageLength)
  } catch {
    throw new FormatError(name, 'corrupt', `page ${index} (IFD at byte ${ifdOffset}) has no ImageWidth/ImageLength`)
  }
  const rowsPerStrip = Math.min(numberTag(tags, TAG.RowsPerStrip, height), height)
  return {
    index,
    ifdOffset,
    width,
    height,
    bitsPerSample: numberTag(tags, TAG.BitsPerSample, 1),
    samplesPerPixel: numberTag(tags, TAG.SamplesPerPixel, 1),
    sampleFormat: numberTag(tags, TAG.SampleFormat, 1),
    compression: numberTag(tags, TAG.Compression, 1),
    predictor: numberTag(tags, TAG.Predictor, 1),
    rowsPerStrip: rowsPerStrip > 0 ? rowsPerStrip : height,
    stripOffsets: arrayTag(tags, TAG.StripOffsets),
    stripByteCounts: arrayTag(tags, TAG.StripByteCounts),
    tiled: tags.has(TAG.TileWidth),
    planarConfiguration: numberTag(tags, TAG.PlanarConfiguration, 1),
  }
}

/** Every strip of the page lies inside the file and the strip tables agree. */
function checkStrips(page: TiffPage, source: ByteSource): void {
  const {stripOffsets, stripByteCounts} = page
  if (stripOffsets.length === 0 || stripOffsets.length !== stripByteCounts.length) {
    throw new FormatError(source.name, 'corrupt', `page ${page.index}: ${stripOffsets.length} strip offsets but ${stripByteCounts.length} byte counts`)
  }
  for (let i = 0; i < stripOffsets.length; i++) {
    if (stripOffsets[i] + stripByteCounts[i] > source.size) {
      throw new FormatError(
        source.name,
        'truncated',
        `page ${page.index} strip ${i} ends at byte ${stripOffsets[i] + stripByteCounts[i]}, past the end of the file (${source.size} bytes)`,
      )
    }
  }
}

export async function readTiffByteOrder(source: ByteSource): Promise<{littleEndian: boolean; firstIfd: number}> {
  if (source.size === 0) throw new FormatError(source.name, 'empty', 'file is empty (0 bytes)')
  if (source.size < 8) throw new FormatError(source.name, 'truncated', `file is ${source.size} bytes, shorter than a TIFF header`)
  const head = await source.read(0, 8)
  const order = String.fromCharCode(head[0], head[1])
  if (order !== 'II' && order !== 'MM') throw new FormatError(source.name, 'not-format', 'not a TIFF file (no II/MM byte-order mark)')
  const le = order === 'II'
  const view = viewOf(head)
  const magic = view.getUint16(2, le)
  if (magic === 43) throw new FormatError(source.name, 'unknown-mode', 'BigTIFF is not supported')
  if (magic !== 42) throw new FormatError(source.name, 'not-format', `not a TIFF file (magic ${magic}, expected 42)`)
  return {littleEndian: le, firstIfd: view.getUint32(4, le)}
}

/** Walks the whole IFD chain and checks every page's strips are inside the file. */
export async function readTiffStructure(source: ByteSource): Promise<TiffStructure> {
  const {littleEndian, firstIfd} = await readTiffByteOrder(source)
  const pages: TiffPage[] = []
  const seen = new Set<number>()
  for (let offset = firstIfd; offset !== 0; ) {
    if (seen.has(offset)) throw new FormatError(source.name, 'corrupt', `IFD chain loops back to byte ${offset}`)
    if (pages.length >= MAX_PAGES) throw new FormatError(source.name, 'corrupt', `more than ${MAX_PAGES} pages`)
    seen.add(offset)
    const {tags, next} = await readIfd(source, offset, littleEndian)
    const page = pageFrom(tags, pages.length, offset, source.name)
    checkStrips(page, source)
    pages.push(page)
    offset = next
  }
  if (pages.length === 0) throw new FormatError(source.name, 'corrupt', 'TIFF has no pages')
  return {littleEndian, pages}
}
