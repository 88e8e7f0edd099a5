// The MRC2014 main header as data: one table of fields (name, byte offset, type), and pure
// encode/decode over 1024 bytes. Layout: CCP-EM MRC2014 specification (see domain.md).
import {FormatError} from './errors.js'
import {viewOf} from './file-range.js'

export const MRC_HEADER_BYTES = 1024
export const MRC_LABEL_COUNT = 10
export const MRC_LABEL_BYTES = 80

type FieldType = 'int32' | 'float32' | 'text'
interface HeaderField {
  readonly name: string
  readonly offset: number
  readonly type: FieldType
  /** Number of values (int32/float32) or bytes (text). */
  readonly count: number
}

/** Every main-header field we decode, in file order; MACHST (212) is handled separately (bytes). */
export const MRC_HEADER_FIELDS = [
  {name: 'nx', offset: 0, type: 'int32', count: 1},
  {name: 'ny', offset: 4, type: 'int32', count: 1},
  {name: 'nz', offset: 8, type: 'int32', count: 1},
  {name: 'mode', offset: 12, type: 'int32', count: 1},
  {name: 'nxstart', offset: 16, type: 'int32', count: 1},
  {name: 'nystart', offset: 20, type: 'int32', count: 1},
  {name: 'nzstart', offset: 24, type: 'int32', count: 1},
  {name: 'mx', offset: 28, type: 'int32', count: 1},
  {name: 'my', offset: 32, type: 'int32', count: 1},
  {name: 'mz', offset: 36, type: 'int32', count: 1},
  {name: 'cella', offset: 40, type: 'float32', count: 3},
  {name: 'cellb', offset: 52, type: 'float32', count: 3},
  {name: 'mapc', offset: 64, type: 'int32', count: 1},
  {name: 'mapr', offset: 68, type: 'int32', count: 1},
  {name: 'maps', offset: 72, type: 'int32', count: 1},
  {name: 'dmin', offset: 76, type: 'float32', count: 1},
  {name: 'dmax', offset: 80, type: 'float32', count: 1},
  {name: 'dmean', offset: 84, type: 'float32', count: 1},
  {name: 'ispg', offset: 88, type: 'int32', count: 1},
  {name: 'nsymbt', offset: 92, type: 'int32', count: 1},
  {name: 'exttyp', offset: 104, type: 'text', count: 4},
  {name: 'nversion', offset: 108, type: 'int32', count: 1},
  {name: 'imodStamp', offset: 152, type: 'int32', count: 1},
  {name: 'imodFlags', offset: 156, type: 'int32', count: 1},
  {name: 'origin', offset: 196, type: 'float32', count: 3},
  {name: 'map', offset: 208, type: 'text', count: 4},
  {name: 'rms', offset: 216, type: 'float32', count: 1},
  {name: 'nlabl', offset: 220, type: 'int32', count: 1},
] as const satisfies readonly HeaderField[]

const MACHST_OFFSET = 212
const LABELS_OFFSET = 224
/** IMOD writes this stamp at byte 152; flag bit 0 then says whether mode-0 bytes are signed. */
export const IMOD_STAMP = 1146047817

type Triple = [number, number, number]
type FieldValue<F> = F extends {type: 'text'} ? string : F extends {count: 3} ? Triple : number
type FieldsOf<T extends readonly HeaderField[]> = {-readonly [F in T[number] as F['name']]: FieldValue<F>}

export type MrcHeaderFields = FieldsOf<typeof MRC_HEADER_FIELDS>

export interface MrcHeader extends MrcHeaderFields {
  /** MACHST bytes as found (or as to write). */
  machst: [number, number, number, number]
  labels: string[]
  /** Byte order the header (and data) were decoded with. */
  littleEndian: boolean
}

const LITTLE_ENDIAN_STAMPS = [[0x44, 0x44], [0x44, 0x41]]
const BIG_ENDIAN_STAMP = [0x11, 0x11]

/** Byte order from MACHST, or undefined when the stamp is not one of the MRC2014 values. */
function byteOrderFromStamp(bytes: Uint8Array): boolean | undefined {
  const [a, b] = [bytes[MACHST_OFFSET], bytes[MACHST_OFFSET + 1]]
  if (LITTLE_ENDIAN_STAMPS.some(([x, y]) => a === x && b === y)) return true
  if (a === BIG_ENDIAN_STAMP[0] && b === BIG_ENDIAN_STAMP[1]) return false
  return undefined
}

/** Files from older writers carry no valid stamp: guess the order whose MODE is a small number. */
function guessByteOrder(view: DataView): boolean | undefined {
  const plausible = (mode: number) => mode >= 0 && mode <= 101
  if (plausible(view.getInt32(12, true))) return true
  if (plausible(view.getInt32(12, false))) return false
  return undefined
}

function decodeText(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset
  while (end < offset + length && bytes[end] !== 0) end++
  return String.fromCharCode(...bytes.subarray(offset, end))
}

function hasMapId(bytes: Uint8Array): boolean {
  return decodeText(bytes, 208, 4) === 'MAP '
}

/** Decodes the 1024-byte main header. `file` names the source in errors. */
export function decodeMrcHeader(bytes: Uint8Array, file: string): MrcHeader {
  if (bytes.byteLength === 0) throw new FormatError(file, 'empty', 'file is empty (0 bytes)')
  if (bytes.byteLength < MRC_HEADER_BYTES) {
    throw new FormatError(file, 'truncated', `file is ${bytes.byteLength} bytes, shorter than the 1024-byte MRC header`)
  }
  const view = viewOf(bytes)
  const littleEndian = byteOrderFromStamp(bytes) ?? guessByteOrder(view)
  if (littleEndian === undefined) {
    throw new FormatError(file, 'not-format', 'not an MRC file: no valid machine stamp (MACHST) and no plausible MODE in either byte order')
  }
  const fields: Record<string, unknown> = {}
  for (const field of MRC_HEADER_FIELDS) {
    if (field.type === 'text') {
      fields[field.name] = decodeText(bytes, field.offset, field.count)
      continue
    }
    const read = (i: number) =>
      field.type === 'int32' ? view.getInt32(field.offset + 4 * i, littleEndian) : view.getFloat32(field.offset + 4 * i, littleEndian)
    fields[field.name] = field.count === 1 ? read(0) : [read(0), read(1), read(2)]
  }
  const labels: string[] = []
  for (let i = 0; i < MRC_LABEL_COUNT; i++) {
    const label = decodeText(bytes, LABELS_OFFSET + i * MRC_LABEL_BYTES, MRC_LABEL_BYTES).trimEnd()
    if (label.length > 0) labels.push(label)
  }
  const machst = Array.from(bytes.subarray(MACHST_OFFSET, MACHST_OFFSET + 4)) as MrcHeader['machst']
  const header = {...(fields as MrcHeaderFields), machst, labels, littleEndian}
  if (!hasMapId(bytes) && byteOrderFromStamp(bytes) === undefined && !isPlausibleLegacyHeader(header)) {
    throw new FormatError(file, 'not-format', 'not an MRC file: no "MAP " identifier, no machine stamp, and implausible dimensions')
  }
  return header
}

/** A pre-2000 MRC header (no MAP/MACHST) is accepted only if its dimensions and axes look real. */
function isPlausibleLegacyHeader(h: MrcHeaderFields): boolean {
  const axes = new Set([h.mapc, h.mapr, h.maps])
  return h.nx > 0 && h.ny > 0 && h.nz > 0 && axes.has(1) && axes.has(2) && axes.has(3)
}

/** Encodes a header into 1024 bytes in the byte order of `header.littleEndian`. */
export function encodeMrcHeader(header: MrcHeader): Uint8Array {
  const bytes = new Uint8Array(MRC_HEADER_BYTES)
  const view = viewOf(bytes)
  const le = header.littleEndian
  const values = header as unknown as Record<string, number | string | number[]>
  for (const field of MRC_HEADER_FIELDS) {
    const value = values[field.name]
    if (field.type === 'text') {
      writeText(bytes, field.offset, field.count, value as string)
      continue
    }
    const list = field.count === 1 ? [value as number] : (value as number[])
    list.forEach((v, i) => {
      if (field.type === 'int32') view.setInt32(field.offset + 4 * i, v, le)
      else view.setFloat32(field.offset + 4 * i, v, le)
    })
  }
  bytes.set(header.machst, MACHST_OFFSET)
  if (header.labels.length > MRC_LABEL_COUNT) throw new RangeError(`MRC header holds at most 10 labels, got ${header.labels.length}`)
  header.labels.forEach((label, i) => writeText(bytes, LABELS_OFFSET + i * MRC_LABEL_BYTES, MRC_LABEL_BYTES, label.padEnd(MRC_LABEL_BYTES)))
  return bytes
}

function writeText(bytes: Uint8Array, offset: number, length: number, text: string): void {
  for (let i = 0; i < Math.min(length, text.length); i++) {
    const code = text.charCodeAt(i)
    bytes[offset + i] = code >= 32 && code < 127 ? code : 0x3f // MRC labels are printable ASCII
  }
}

/** MACHST for the byte order we write. */
export function machineStamp(littleEndian: boolean): MrcHeader['machst'] {
  return littleEndian ? [0x44, 0x44, 0, 0] : [0x11, 0x11, 0, 0]
}
