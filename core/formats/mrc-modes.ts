// MRC data modes as data: bytes per section and pure decode from file bytes to float32 (encoding: mrc-write.ts).
import {halfToFloat} from './float16.js'
import {HOST_LITTLE_ENDIAN, viewOf} from './file-range.js'

export type MrcReadMode = 0 | 1 | 2 | 6 | 12 | 101
export type MrcWriteMode = 0 | 1 | 2 | 6 | 12

interface ModeCodec {
  readonly mode: MrcReadMode
  readonly description: string
  /** Bytes one nx*ny section occupies (mode 101 packs two pixels per byte, rows padded to a byte). */
  sectionBytes(nx: number, ny: number): number
  decode(bytes: Uint8Array, nx: number, ny: number, littleEndian: boolean, out: Float32Array): void
  /** Integer modes: the representable range values are rounded and checked against. */
  readonly range?: readonly [number, number]
}

/** A typed view of the bytes, copying only when they are not aligned for the element size. */
function viewAs<T>(bytes: Uint8Array, size: number, Typed: {new (buffer: ArrayBuffer, offset: number, length: number): T}): T {
  const source = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes) // a copy, even for a Buffer (whose slice() is a view)
  return new Typed(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength / size)
}

function multiByteCodec<T extends Int16Array | Uint16Array | Float32Array>(
  mode: MrcReadMode,
  description: string,
  Typed: {new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number},
  get: (view: DataView, offset: number, le: boolean) => number,
  range?: readonly [number, number],
): ModeCodec {
  const size = Typed.BYTES_PER_ELEMENT
  return {
    mode,
    description,
    range,
    sectionBytes: (nx, ny) => nx * ny * size,
    decode(bytes, nx, ny, le, out) {
      const n = nx * ny
      if (le === HOST_LITTLE_ENDIAN) {
        out.set(viewAs(bytes.subarray(0, n * size), size, Typed))
        return
      }
      const view = viewOf(bytes)
      for (let i = 0; i < n; i++) out[i] = get(view, i * size, le)
    },
  }
}

const int8: ModeCodec = {
  mode: 0,
  description: 'int8',
  range: [-128, 127],
  sectionBytes: (nx, ny) => nx * ny,
  decode(bytes, nx, ny, _le, out) {
    out.set(new Int8Array(bytes.buffer, bytes.byteOffset, nx * ny))
  },
}

/** Mode 0 as written by IMOD without its "signed bytes" flag: unsigned. */
export const UNSIGNED_MODE_0: ModeCodec = {
  ...int8,
  description: 'uint8 (IMOD unsigned mode 0)',
  range: [0, 255],
  decode(bytes, nx, ny, _le, out) {
    out.set(bytes.subarray(0, nx * ny))
  },
}

const float16: ModeCodec = {
  mode: 12,
  description: 'float16',
  sectionBytes: (nx, ny) => nx * ny * 2,
  decode(bytes, nx, ny, le, out) {
    const view = viewOf(bytes)
    for (let i = 0; i < nx * ny; i++) out[i] = halfToFloat(view.getUint16(2 * i, le))
  },
}

// Mode 101: two 4-bit pixels per byte, low nibble first; each row starts on a byte boundary.
const packed4: ModeCodec = {
  mode: 101,
  description: '4-bit packed',
  sectionBytes: (nx, ny) => Math.ceil(nx / 2) * ny,
  decode(bytes, nx, ny, _le, out) {
    const rowBytes = Math.ceil(nx / 2)
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const byte = bytes[y * rowBytes + (x >> 1)]
        out[y * nx + x] = x & 1 ? byte >> 4 : byte & 0x0f
      }
    }
  },
}

export const MRC_MODES: Readonly<Record<MrcReadMode, ModeCodec>> = {
  0: int8,
  1: multiByteCodec(1, 'int16', Int16Array, (v, o, le) => v.getInt16(o, le), [-32768, 32767]),
  2: multiByteCodec(2, 'float32', Float32Array, (v, o, le) => v.getFloat32(o, le)),
  6: multiByteCodec(6, 'uint16', Uint16Array, (v, o, le) => v.getUint16(o, le), [0, 65535]),
  12: float16,
  101: packed4,
}

export function isReadableMode(mode: number): mode is MrcReadMode {
  return Object.hasOwn(MRC_MODES, mode)
}

export type {ModeCodec}
