// MRC2014 writing: header statistics (DMIN/DMAX/DMEAN/RMS) computed from the values as stored, so
// readers (mrcfile.validate, RELION) see exactly what the header says. Each section is converted,
// range-checked and accumulated into the statistics in one pass (`encodeMrcSection`), so a
// producer can encode frames as it makes them and write the header (`encodeMrcPreamble`) last.
import {open} from 'node:fs/promises'
import {floatToHalf, halfToFloat} from './float16.js'
import {encodeMrcHeader, machineStamp, MRC_HEADER_BYTES, type MrcHeader} from './mrc-header.js'
import {HOST_LITTLE_ENDIAN, writeAll} from './file-range.js'
import {encodeFeiBlock} from './mrc-extended-header.js'
import {MRC_MODES, type MrcWriteMode} from './mrc-modes.js'

export interface MrcWriteOptions {
  width: number
  height: number
  /** 0 int8, 1 int16, 2 float32 (default), 6 uint16, 12 float16. Integer modes round to nearest. */
  mode?: MrcWriteMode
  /** Angstrom per pixel, stored as CELLA = dims x pixelSize. */
  pixelSize?: number
  /** Up to 10 printable-ASCII labels of 80 characters. Default: one "emstream" label. */
  labels?: string[]
  /** Writes an FEI1 extended header (one 768-byte block per section) recording this dose (e/A^2). */
  dosePerFrame?: number
  /** Default true; big-endian output exists for testing readers. */
  littleEndian?: boolean
}

const FEI1_BLOCK_BYTES = 768

/** Running statistics of the values as stored, over every section encoded so far. */
export interface MrcStatistics {
  min: number
  max: number
  sum: number
  sumSquares: number
  count: number
}

export function emptyMrcStatistics(): MrcStatistics {
  return {min: Infinity, max: -Infinity, sum: 0, sumSquares: 0, count: 0}
}

/** Bytes one section occupies in `mode`. */
export function mrcSectionBytes(opts: Pick<MrcWriteOptions, 'width' | 'height' | 'mode'>): number {
  return MRC_MODES[opts.mode ?? 2].sectionBytes(opts.width, opts.height)
}

/** Bytes before the first section: main header plus the FEI1 extended header, if any. */
export function mrcPreambleBytes(opts: MrcWriteOptions, sections: number): number {
  return MRC_HEADER_BYTES + (opts.dosePerFrame === undefined ? 0 : FEI1_BLOCK_BYTES * sections)
}

function nonFinite(x: number): RangeError {
  return new RangeError(`cannot write non-finite value ${x} to an MRC file`)
}

/**
 * Integer modes: round to nearest, reject values outside the mode's range, store in host order.
 * Statistics come from a histogram of the stored values: one increment per value instead of
 * four dependent min/max/sum updates (exact, as the values are integers).
 */
function storeIntegers(values: Float32Array, mode: 0 | 1 | 6, typed: Int8Array | Int16Array | Uint16Array, s: MrcStatistics): void {
  const [lo, hi] = MRC_MODES[mode].range!
  const histogram = new Uint32Array(hi - lo + 1)
  const n = values.length
  for (let i = 0; i < n; i++) {
    const x = values[i]
    const r = Math.round(x)
    if (!(r >= lo && r <= hi)) {
      if (!Number.isFinite(x)) throw nonFinite(x)
      throw new RangeError(`value ${x} does not fit MRC mode ${mode} (${lo}..${hi})`)
    }
    typed[i] = r
    histogram[r - lo]++
  }
  addHistogram(histogram, lo, n, s)
}

/** Values already in their mode's type (int16 for mode 1, uint16 for mode 6): statistics only. */
function countStored(values: Int16Array | Uint16Array, lo: number, s: MrcStatistics): void {
  const histogram = new Uint32Array(65536)
  for (let i = 0; i < values.length; i++) histogram[values[i] - lo]++
  addHistogram(histogram, lo, values.length, s)
}

function addHistogram(histogram: Uint32Array, lo: number, n: number, s: MrcStatistics): void {
  for (let b = 0; b < histogram.length; b++) {
    const count = histogram[b]
    if (count === 0) continue
    const v = b + lo
    if (v < s.min) s.min = v
    if (v > s.max) s.max = v
    s.sum += v * count
    s.sumSquares += v * v * count
  }
  s.count += n
}

function storeFloats(values: Float32Array, s: MrcStatistics): void {
  let {min, max, sum, sumSquares} = s
  for (let i = 0; i < values.length; i++) {
    const x = values[i]
    if (!Number.isFinite(x)) throw nonFinite(x)
    if (x < min) min = x
    if (x > max) max = x
    sum += x
    sumSquares += x * x
  }
  Object.assign(s, {min, max, sum, sumSquares, count: s.count + values.length})
}

function storeHalves(values: Float32Array, typed: Uint16Array, s: MrcStatistics): void {
  let {min, max, sum, sumSquares} = s
  for (let i = 0; i < values.length; i++) {
    const x = values[i]
    if (!Number.isFinite(x)) throw nonFinite(x)
    const bits = floatToHalf(x)
    const v = halfToFloat(bits)
    typed[i] = bits
    if (v < min) min = v
    if (v > max) max = v
    sum += v
    sumSquares += v * v
  }
  Object.assign(s, {min, max, sum, sumSquares, count: s.count + values.length})
}

/** Reverses the bytes of each `size`-byte value in place (output in the other byte order). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]
      bytes[a] = bytes[b]
      bytes[b] = t
    }
  }
}

function typedView<T>(out: Uint8Array, Typed: {new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number}): T {
  if (out.byteOffset % Typed.BYTES_PER_ELEMENT !== 0) throw new RangeError(`MRC section buffer must be ${Typed.BYTES_PER_ELEMENT}-byte aligned`)
  return new Typed(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength / Typed.BYTES_PER_ELEMENT)
}

/** Values an MRC section can be encoded from: floats in any mode, or a mode's own integer type. */
export type MrcSectionValues = Float32Array | Int16Array | Uint16Array

/**
 * One section's file bytes in `mode`, accumulating the stored values into `stats` in the same
 * pass. Writes into `out` (mrcSectionBytes long) when given; without it, values already in the
 * mode's type and host byte order (float32 for mode 2, Int16Array for mode 1, Uint16Array for
 * mode 6) are returned as a view of `values` itself (no copy).
 */
export function encodeMrcSection(values: MrcSectionValues, mode: MrcWriteMode, littleEndian: boolean, stats: MrcStatistics, out?: Uint8Array): Uint8Array {
  const bytes = MRC_MODES[mode].sectionBytes(values.length, 1)
  if (out && out.byteLength !== bytes) throw new RangeError(`MRC section buffer has ${out.byteLength} bytes, expected ${bytes}`)
  if (!(values instanceof Float32Array)) {
    const own = (mode === 1 && values instanceof Int16Array) || (mode === 6 && values instanceof Uint16Array)
    if (!own) throw new RangeError(`MRC mode ${mode} cannot be encoded from ${values.constructor.name} values`)
    countStored(values, MRC_MODES[mode].range![0], stats)
    return asFileBytes(values, out, littleEndian, 2)
  }
  if (mode === 2) {
    storeFloats(values, stats)
    return asFileBytes(values, out, littleEndian, 4)
  }
  const target = out ?? new Uint8Array(bytes)
  if (mode === 12) storeHalves(values, typedView(target, Uint16Array), stats)
  else if (mode === 0) storeIntegers(values, mode, typedView(target, Int8Array), stats)
  else storeIntegers(values, mode, mode === 1 ? typedView(target, Int16Array) : typedView(target, Uint16Array), stats)
  if (mode !== 0 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(target, 2)
  return target
}

/** Typed values already in the mode's type as file bytes: a view in host order, else a swapped copy. */
function asFileBytes(values: MrcSectionValues, out: Uint8Array | undefined, littleEndian: boolean, size: number): Uint8Array {
  const own = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  if (littleEndian === HOST_LITTLE_ENDIAN && !out) return own
  const target = out ?? new Uint8Array(own.length)
  target.set(own)
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(target, size)
  return target
}

/** Main header (with the statistics of all `sections`) and the FEI1 extended header, if any. */
export function encodeMrcPreamble(opts: MrcWriteOptions, sections: number, stats: MrcStatistics): Uint8Array {
  const header = buildHeader(sections, opts, stats)
  const out = new Uint8Array(mrcPreambleBytes(opts, sections))
  out.set(encodeMrcHeader(header))
  if (opts.dosePerFrame !== undefined) {
    const block = encodeFeiBlock({dosePerFrame: opts.dosePerFrame, pixelSize: opts.pixelSize}, header.littleEndian, FEI1_BLOCK_BYTES)
    for (let i = 0; i < sections; i++) out.set(block, MRC_HEADER_BYTES + i * FEI1_BLOCK_BYTES)
  }
  return out
}

function checkShape(sections: Float32Array[], opts: MrcWriteOptions): void {
  const {width, height} = opts
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`MRC width/height must be positive integers, got ${width} x ${height}`)
  }
  if (sections.length === 0) throw new RangeError('an MRC file needs at least one section')
  sections.forEach((s, i) => {
    if (s.length !== width * height) throw new RangeError(`section ${i} has ${s.length} values, expected ${width} x ${height}`)
  })
}

function buildHeader(nz: number, opts: MrcWriteOptions, stats: MrcStatistics): MrcHeader {
  const {width: nx, height: ny} = opts
  const littleEndian = opts.littleEndian ?? true
  const pixel = opts.pixelSize ?? 0
  const labels = opts.labels ?? ['emstream']
  const nsymbt = opts.dosePerFrame === undefined ? 0 : FEI1_BLOCK_BYTES * nz
  const mean = stats.sum / stats.count
  return {
    nx, ny, nz,
    mode: opts.mode ?? 2,
    nxstart: 0, nystart: 0, nzstart: 0,
    // Image stack convention (ISPG 0, MZ 1): pixel size = CELLA.x / MX.
    mx: nx, my: ny, mz: 1,
    cella: [nx * pixel, ny * pixel, pixel],
    cellb: [90, 90, 90],
    mapc: 1, mapr: 2, maps: 3,
    dmin: stats.min, dmax: stats.max, dmean: mean,
    ispg: 0,
    nsymbt,
    exttyp: nsymbt > 0 ? 'FEI1' : '',
    nversion: 20140,
    imodStamp: 0, imodFlags: 0,
    origin: [0, 0, 0],
    map: 'MAP ',
    machst: machineStamp(littleEndian),
    // RMS = population standard deviation of the stored values.
    rms: Math.sqrt(Math.max(0, stats.sumSquares / stats.count - mean * mean)),
    nlabl: labels.length,
    labels,
    littleEndian,
  }
}

/** Preamble and each section's bytes, in file order (sections encoded once, before the header). */
function mrcChunks(sections: Float32Array[], opts: MrcWriteOptions): Uint8Array[] {
  checkShape(sections, opts)
  const mode = opts.mode ?? 2
  const le = opts.littleEndian ?? true
  const stats = emptyMrcStatistics()
  const encoded = sections.map((s) => encodeMrcSection(s, mode, le, stats))
  return [encodeMrcPreamble(opts, sections.length, stats), ...encoded]
}

/** The whole file's bytes (pure). */
export function encodeMrc(sections: Float32Array[], opts: MrcWriteOptions): Buffer {
  return Buffer.concat(mrcChunks(sections, opts))
}

/** Writes the header, then section by section, so the file is never assembled in memory. */
export async function writeMrc(path: string, sections: Float32Array[], opts: MrcWriteOptions): Promise<void> {
  const chunks = mrcChunks(sections, opts)
  const handle = await open(path, 'w')
  try {
    for (const chunk of chunks) await writeAll(handle, chunk)
  } finally {
    await handle.close()
  }
}
