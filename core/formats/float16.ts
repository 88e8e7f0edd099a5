// IEEE 754 half precision (MRC mode 12). Node 20 has no Float16Array, so convert by bits.

const halfToFloatTable = buildHalfToFloatTable()

function buildHalfToFloatTable(): Float32Array {
  const table = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const exponent = (h >> 10) & 0x1f
    const fraction = h & 0x3ff
    if (exponent === 0) table[h] = sign * fraction * 2 ** -24
    else if (exponent === 31) table[h] = fraction === 0 ? sign * Infinity : NaN
    else table[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
  }
  return table
}

export function halfToFloat(bits: number): number {
  return halfToFloatTable[bits & 0xffff]
}

const scratch = new Float32Array(1)
const scratchBits = new Uint32Array(scratch.buffer)

/** Rounds a number to the nearest half-precision value (ties to even) and returns its 16 bits. */
export function floatToHalf(value: number): number {
  scratch[0] = value
  const x = scratchBits[0]
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  let mantissa = x & 0x7fffff
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0)
  const e = exponent - 127 + 15
  if (e >= 31) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mantissa |= 0x800000
    const shift = 14 - e
    const half = mantissa >>> shift
    const remainder = mantissa & ((1 << shift) - 1)
    const midpoint = 1 << (shift - 1)
    const roundUp = remainder > midpoint || (remainder === midpoint && (half & 1) === 1)
    return sign | (half + (roundUp ? 1 : 0))
  }
  let half = (e << 10) | (mantissa >>> 13)
  const remainder = mantissa & 0x1fff
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1 // may carry into the exponent: correct
  return sign | half
}
