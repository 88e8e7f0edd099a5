// TIFF LZW (compression 5): MSB-first variable-width codes, Clear 256, EOI 257, "early change"
// width switch (TIFF 6.0 section 13). Typed-array tables: no per-code allocation.
const CLEAR = 256
const EOI = 257
const FIRST_FREE = 258
const MAX_CODES = 4096
/** Stamps fit in the 19 bits above a 12-bit code in an Int32 (kept positive). */
const MAX_STAMP = 1 << 19

/** Thrown for streams that violate the code rules; callers add the file name. */
export class LzwError extends Error {}

/**
 * Decodes into a buffer of the expected size (rows x row bytes); excess output is an error.
 * Each table entry is the previous string plus one byte, so it already occurs in the output:
 * entries are (offset, length) into the output and decoding is a copy, with no per-byte chain walk.
 */
export function lzwDecode(input: Uint8Array, expectedBytes: number): Uint8Array {
  const out = new Uint8Array(expectedBytes)
  const offset = new Int32Array(MAX_CODES)
  const length = new Uint16Array(MAX_CODES)
  let next = FIRST_FREE
  let width = 9
  let oldCode = -1
  let oldAt = 0
  let written = 0
  let bitBuffer = 0
  let bitCount = 0
  let inPos = 0
  for (;;) {
    while (bitCount < width) {
      if (inPos >= input.length) return finish(out, written, expectedBytes) // streams may omit EOI
      bitBuffer = ((bitBuffer << 8) | input[inPos++]) >>> 0
      bitCount += 8
    }
    const code = (bitBuffer >>> (bitCount - width)) & ((1 << width) - 1)
    bitCount -= width
    bitBuffer &= (1 << bitCount) - 1
    if (code === EOI) break
    if (code === CLEAR) {
      next = FIRST_FREE
      width = 9
      oldCode = -1
      continue
    }
    if (oldCode === -1 ? code >= 256 : code > next) throw new LzwError(`LZW code ${code} not in the table (next free ${next})`)
    const oldLength = oldCode < 256 ? 1 : length[oldCode]
    const n = code < 256 ? 1 : code === next ? oldLength + 1 : length[code]
    if (written + n > expectedBytes) throw new LzwError(`LZW stream decodes to more than the expected ${expectedBytes} bytes`)
    if (code < 256) out[written] = code
    else if (code === next) {
      // KwKwK: the old string followed by its own first byte.
      out.copyWithin(written, oldAt, oldAt + oldLength)
      out[written + oldLength] = out[oldAt]
    } else if (n < 16) {
      const from = offset[code]
      for (let i = 0; i < n; i++) out[written + i] = out[from + i]
    } else out.copyWithin(written, offset[code], offset[code] + n)
    if (oldCode !== -1 && next < MAX_CODES) {
      offset[next] = oldAt // old string + first byte of this one: contiguous in the output
      length[next] = oldLength + 1
      next++
    }
    oldCode = code
    oldAt = written
    written += n
    if (next + 1 >= 1 << width && width < 12) width++
  }
  return finish(out, written, expectedBytes)
}

function finish(out: Uint8Array, written: number, expected: number): Uint8Array {
  if (written !== expected) throw new LzwError(`LZW stream decodes to ${written} bytes, expected ${expected}`)
  return out
}

// Encoder's child lookup keyed by (code, byte): entry = stamp << 12 | code. Each string table
// (per strip and per Clear) gets a new stamp, so the 4 MB table is shared and never cleared
// except when the stamps run out.
let encoderTable: Int32Array | undefined
let stampCounter = 0

function nextStamp(): number {
  if (++stampCounter === MAX_STAMP) {
    encoderTable!.fill(0)
    stampCounter = 1
  }
  return stampCounter
}

/** Encodes bytes as one TIFF LZW strip (starts with Clear, ends with EOI). */
export function lzwEncode(input: Uint8Array): Uint8Array {
  const child = (encoderTable ??= new Int32Array(MAX_CODES * 256))
  let stamp = nextStamp()
  let out = new Uint8Array(Math.max(64, (input.length * 3) >> 1))
  let outPos = 0
  let bitBuffer = 0
  let bitCount = 0
  let width = 9
  let next = FIRST_FREE
  const pushByte = (byte: number) => {
    if (outPos >= out.length) {
      const grown = new Uint8Array(out.length * 2)
      grown.set(out)
      out = grown
    }
    out[outPos++] = byte
  }
  const emit = (code: number) => {
    bitBuffer = (bitBuffer << width) | code
    bitCount += width
    while (bitCount >= 8) {
      bitCount -= 8
      pushByte((bitBuffer >>> bitCount) & 0xff)
    }
    bitBuffer &= (1 << bitCount) - 1
  }
  emit(CLEAR)
  if (input.length > 0) {
    let current = input[0]
    for (let i = 1; i < input.length; i++) {
      const byte = input[i]
      const key = (current << 8) | byte
      const entry = child[key]
      if (entry >>> 12 === stamp) {
        current = entry & 0xfff
        continue
      }
      emit(current)
      child[key] = (stamp << 12) | next++
      // The decoder adds its entries one code later, hence the switch at 512/1024/2048.
      if (next >= 4093) {
        emit(CLEAR)
        stamp = nextStamp()
        next = FIRST_FREE
        width = 9
      } else if (next >= 1 << width && width < 12) {
        width++
      }
      current = byte
    }
    emit(current)
    next++
    if (next >= 1 << width && width < 12) width++
  }
  emit(EOI)
  if (bitCount > 0) pushByte((bitBuffer << (8 - bitCount)) & 0xff) // last byte padded with zero bits
  return out.slice(0, outPos)
}
