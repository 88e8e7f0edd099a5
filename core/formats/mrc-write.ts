// MRC2014 writing: header statistics (DMIN/DMAX/DMEAN/RMS) computed from the values as stored, so
// readers (mrcfile.validate, RELION) see exactly what the header says.
import {open} from 'node:fs/promises'
import {floatToHalf, halfToFloat} from './float16.js'
import {encodeMrcHeader, machineStamp, type MrcHeader} from './mrc-header.js'
import {writeAll} from './file-range.js'
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

interface Statistics {
  min: number
  max: number
  mean: number
  rms: number
}

/** The value a reader gets back for `x` in this mode; integer modes reject out-of-range values. */
function storedValue(x: number, mode: MrcWriteMode): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write non-finite value ${x} to an MRC file`)
  if (mode === 2) return Math.fround(x)
  if (mode === 12) return halfToFloat(floatToHalf(x))
  const r = Math.round(x)
  const [lo, hi] = MRC_MODES[mode].range!
  if (r < lo || r > hi) throw new RangeError(`value ${x} does not fit MRC mode ${mode} (${lo}..${hi})`)
  return r
}

function quantize(section: Float32Array, mode: MrcWriteMode): Float32Array {
  if (mode === 2) {
    for (const x of section) if (!Number.isFinite(x)) throw new RangeError(`cannot write non-finite value ${x} to an MRC file`)
    return section
  }
  const out = new Float32Array(section.length)
  for (let i = 0; i < section.length; i++) out[i] = storedValue(section[i], mode)
  return out
}

function statistics(sections: Float32Array[], mode: MrcWriteMode): Statistics {
  let min = Infinity
  let max = -Infinity
  let sum = 0
  let sumSquares = 0
  let n = 0
  for (const section of sections) {
    for (const x of quantize(section, mode)) {
      if (x < min) min = x
      if (x > max) max = x
      sum += x
      sumSquares += x * x
    }
    n += section.length
  }
  const mean = sum / n
  return {min, max, mean, rms: Math.sqrt(Math.max(0, sumSquares / n - mean * mean))}
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

function buildHeader(sections: Float32Array[], opts: MrcWriteOptions, stats: Statistics): MrcHeader {
  const {width: nx, height: ny} = opts
  const nz = sections.length
  const littleEndian = opts.littleEndian ?? true
  const pixel = opts.pixelSize ?? 0
  const labels = opts.labels ?? ['emstream']
  const nsymbt = opts.dosePerFrame === undefined ? 0 : FEI1_BLOCK_BYTES * nz
  return {
    nx, ny, nz,
    mode: opts.mode ?? 2,
    nxstart: 0, nystart: 0, nzstart: 0,
    // Image stack convention (ISPG 0, MZ 1): pixel size = CELLA.x / MX.
    mx: nx, my: ny, mz: 1,
    cella: [nx * pixel, ny * pixel, pixel],
    cellb: [90, 90, 90],
    mapc: 1, mapr: 2, maps: 3,
    dmin: stats.min, dmax: stats.max, dmean: stats.mean,
    ispg: 0,
    nsymbt,
    exttyp: nsymbt > 0 ? 'FEI1' : '',
    nversion: 20140,
    imodStamp: 0, imodFlags: 0,
    origin: [0, 0, 0],
    map: 'MAP ',
    machst: machineStamp(littleEndian),
    rms: stats.rms,
    nlabl: labels.length,
    labels,
    littleEndian,
  }
}

/** Header, extended header and then each section's bytes, in file order. */
function* mrcChunks(sections: Float32Array[], opts: MrcWriteOptions): Generator<Uint8Array> {
  checkShape(sections, opts)
  const mode = opts.mode ?? 2
  const header = buildHeader(sections, opts, statistics(sections, mode))
  yield encodeMrcHeader(header)
  if (opts.dosePerFrame !== undefined) {
    const block = encodeFeiBlock({dosePerFrame: opts.dosePerFrame, pixelSize: opts.pixelSize}, header.littleEndian, FEI1_BLOCK_BYTES)
    for (let i = 0; i < sections.length; i++) yield block
  }
  const codec = MRC_MODES[mode]
  for (const section of sections) yield codec.encode!(quantize(section, mode), header.littleEndian)
}

/** The whole file's bytes (pure). */
export function encodeMrc(sections: Float32Array[], opts: MrcWriteOptions): Buffer {
  return Buffer.concat([...mrcChunks(sections, opts)])
}

/** Writes section by section, so the file is never assembled in memory. */
export async function writeMrc(path: string, sections: Float32Array[], opts: MrcWriteOptions): Promise<void> {
  const handle = await open(path, 'w')
  try {
    for (const chunk of mrcChunks(sections, opts)) await writeAll(handle, chunk)
  } finally {
    await handle.close()
  }
}

