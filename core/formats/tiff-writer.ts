// Generic little-endian TIFF layout shared by the TIFF-movie and EER writers. Each page is laid
// out as IFD, out-of-line arrays, then strips, so the next IFD's offset is known before a page is
// written and a movie streams to disk one page at a time.
import {viewOf} from './file-range.js'
import {TAG} from './tiff-structure.js'

export interface PageToWrite {
  width: number
  height: number
  bitsPerSample: number
  compression: number
  sampleFormat: number
  rowsPerStrip: number
  strips: Uint8Array[]
}

interface IfdEntry {
  tag: number
  type: 3 | 4 // SHORT or LONG
  values: number[]
}

const TIFF_HEADER = Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]) // "II", 42, first IFD at byte 8
const valueBytes = (entry: IfdEntry) => entry.values.length * (entry.type === 3 ? 2 : 4)

function entriesFor(page: PageToWrite): IfdEntry[] {
  return [
    {tag: TAG.ImageWidth, type: 4, values: [page.width]},
    {tag: TAG.ImageLength, type: 4, values: [page.height]},
    {tag: TAG.BitsPerSample, type: 3, values: [page.bitsPerSample]},
    {tag: TAG.Compression, type: 3, values: [page.compression]},
    {tag: TAG.Photometric, type: 3, values: [1]}, // BlackIsZero
    {tag: TAG.StripOffsets, type: 4, values: page.strips.map(() => 0)},
    {tag: TAG.SamplesPerPixel, type: 3, values: [1]},
    {tag: TAG.RowsPerStrip, type: 4, values: [page.rowsPerStrip]},
    {tag: TAG.StripByteCounts, type: 4, values: page.strips.map((s) => s.byteLength)},
    {tag: TAG.PlanarConfiguration, type: 3, values: [1]},
    {tag: TAG.SampleFormat, type: 3, values: [page.sampleFormat]},
  ]
}

function encodeIfd(entries: IfdEntry[], at: number, next: number): Uint8Array {
  const tableBytes = 2 + 12 * entries.length + 4
  const extraBytes = entries.reduce((n, e) => n + (valueBytes(e) > 4 ? valueBytes(e) : 0), 0)
  const bytes = new Uint8Array(tableBytes + extraBytes)
  const view = viewOf(bytes)
  view.setUint16(0, entries.length, true)
  let extra = tableBytes
  entries.forEach((entry, i) => {
    const field = 2 + 12 * i
    view.setUint16(field, entry.tag, true)
    view.setUint16(field + 2, entry.type, true)
    view.setUint32(field + 4, entry.values.length, true)
    const inline = valueBytes(entry) <= 4
    const base = inline ? field + 8 : extra
    entry.values.forEach((v, j) => (entry.type === 3 ? view.setUint16(base + 2 * j, v, true) : view.setUint32(base + 4 * j, v, true)))
    if (!inline) {
      view.setUint32(field + 8, at + extra, true)
      extra += valueBytes(entry)
    }
  })
  view.setUint32(tableBytes - 4, next, true)
  return bytes
}

/** One page's chunks (IFD, strips, padding) when its IFD is written at byte `at`. */
function layoutPage(page: PageToWrite, at: number, last: boolean): Uint8Array[] {
  const entries = entriesFor(page)
  const ifdBytes = 2 + 12 * entries.length + 4 + entries.reduce((n, e) => n + (valueBytes(e) > 4 ? valueBytes(e) : 0), 0)
  let offset = at + ifdBytes
  entries[5].values = page.strips.map((s) => {
    const o = offset
    offset += s.byteLength
    return o
  })
  const pad = offset % 2 // the next IFD must start on a word boundary
  return [encodeIfd(entries, at, last ? 0 : offset + pad), ...page.strips, new Uint8Array(pad)]
}

/** The file's bytes in order, producing (and compressing) one page at a time. */
export function* tiffFileChunks(pageCount: number, makePage: (index: number) => PageToWrite): Generator<Uint8Array> {
  if (pageCount === 0) throw new RangeError('a TIFF file needs at least one page')
  yield TIFF_HEADER
  let at = TIFF_HEADER.length
  for (let i = 0; i < pageCount; i++) {
    for (const chunk of layoutPage(makePage(i), at, i === pageCount - 1)) {
      at += chunk.byteLength
      yield chunk
    }
  }
}
