// EER (Falcon 4 electron-event representation): a TIFF whose pages are hardware frames, each a
// run-length code of electron positions with a 4-bit sub-pixel code (XOR 0x0A). Compression 65000:
// 8-bit runs, a 4-bit code after every run (255 = skip 255 pixels, code ignored); 65001: 7-bit
// runs, code only after a run < 127. Bits are read least-significant first. Decoding follows
// RELION 3.1's EERRenderer; rendering groups hardware frames and upsamples 1x/2x/4x (4K/8K/16K).
import {open} from 'node:fs/promises'
import {fileSource, memorySource, type ByteSource} from './byte-source.js'
import {FormatError} from './errors.js'
import {openForReading, writeAll} from './file-range.js'
import {readTiffStructure, type TiffPage, type TiffStructure} from './tiff-structure.js'
import {readPageStrips} from './tiff.js'
import {tiffFileChunks} from './tiff-writer.js'

export const EER_COMPRESSION = {bit8: 65000, bit7: 65001} as const
export type EerCompression = 65000 | 65001
export type EerUpsampling = 1 | 2 | 4
const SUBPIXEL_XOR = 0x0a

export function isEerCompression(compression: number): compression is EerCompression {
  return compression === EER_COMPRESSION.bit8 || compression === EER_COMPRESSION.bit7
}

/** Electrons of one hardware frame: 4K pixel index (row-major) and true (un-XORed) sub-pixel code. */
export interface EerElectrons {
  positions: Uint32Array
  subpixels: Uint8Array
}

/** Decodes one hardware frame's bytes (its strips, concatenated). */
export function decodeEerFrame(bytes: Uint8Array, compression: EerCompression, width: number, height: number): EerElectrons {
  const total = width * height
  const padded = new Uint8Array(bytes.byteLength + 4) // reading 32-bit windows past the end sees zeros
  padded.set(bytes)
  const runBits = compression === EER_COMPRESSION.bit8 ? 8 : 7
  const skip = (1 << runBits) - 1
  const totalBits = bytes.byteLength * 8
  const maxElectrons = Math.floor(totalBits / (runBits + 4)) + 1
  const positions = new Uint32Array(Math.min(maxElectrons, total))
  const subpixels = new Uint8Array(positions.length)
  let bit = 0
  let pixel = 0
  let n = 0
  for (;;) {
    if (bit + runBits > totalBits) {
      throw new Error(`stream ends after ${pixel} of ${total} pixels`)
    }
    const at = bit >>> 3
    const window = (padded[at] | (padded[at + 1] << 8) | (padded[at + 2] << 16) | (padded[at + 3] << 24)) >>> (bit & 7)
    const run = window & skip
    pixel += run
    bit += runBits
    if (pixel >= total) break
    if (run === skip) {
      if (runBits === 8) bit += 4 // 65000 always carries a code, unused after a skip
      continue
    }
    if (n >= positions.length) throw new Error('more electrons than the stream can hold')
    positions[n] = pixel
    subpixels[n] = ((window >>> runBits) & 0x0f) ^ SUBPIXEL_XOR
    n++
    pixel++
    bit += 4
  }
  return {positions: positions.slice(0, n), subpixels: subpixels.slice(0, n)}
}

/** Adds each electron to `image` (width*u x height*u), using u = 2 or 4 sub-pixel bits as RELION does. */
export function renderEerElectrons(electrons: EerElectrons, width: number, upsampling: EerUpsampling, image: Float32Array): void {
  const {positions, subpixels} = electrons
  const outWidth = width * upsampling
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]
    const s = subpixels[i]
    const x0 = p % width
    const y0 = (p - x0) / width
    let x = x0
    let y = y0
    if (upsampling === 2) {
      x = (x0 << 1) | ((s & 2) >> 1)
      y = (y0 << 1) | ((s & 8) >> 3)
    } else if (upsampling === 4) {
      x = (x0 << 2) | (s & 3)
      y = (y0 << 2) | ((s & 12) >> 2)
    }
    image[y * outWidth + x] += 1
  }
}

export interface EerReader {
  path: string
  /** Rendered frame size: 4096 x upsampling for Falcon 4. */
  width: number
  height: number
  /** Rendered frames: floor(hardware frames / grouping); RELION drops the remainder too. */
  frameCount: number
  hardwareFrameCount: number
  grouping: number
  upsampling: EerUpsampling
  compression: EerCompression
  /** Sum of hardware frames [i*grouping, (i+1)*grouping), in RELION's orientation. */
  readFrame(index: number): Promise<Float32Array>
  /** Electrons of one hardware frame. */
  readElectrons(hardwareFrame: number): Promise<EerElectrons>
  close(): Promise<void>
}

export interface EerOptions {
  upsampling?: EerUpsampling
  /** Hardware frames per rendered frame (RELION --eer_grouping, default 40). */
  grouping?: number
}

function checkEerPages(structure: TiffStructure, file: string): {width: number; height: number; compression: EerCompression} {
  const [first] = structure.pages
  if (!isEerCompression(first.compression)) {
    throw new FormatError(file, 'unknown-mode', `not an EER movie: page 0 has compression ${first.compression} (EER: 65000 or 65001)`)
  }
  for (const page of structure.pages) {
    if (page.compression !== first.compression || page.width !== first.width || page.height !== first.height) {
      throw new FormatError(file, 'corrupt', `EER page ${page.index} differs from page 0 in size or compression`)
    }
  }
  if (first.width * first.height > 2 ** 26) {
    throw new FormatError(file, 'absurd-dimensions', `EER frame of ${first.width} x ${first.height} exceeds 8192 x 8192`)
  }
  return {width: first.width, height: first.height, compression: first.compression}
}

function eerReader(source: ByteSource, structure: TiffStructure, opts: EerOptions, close: () => Promise<void>): EerReader {
  const {width, height, compression} = checkEerPages(structure, source.name)
  const upsampling = opts.upsampling ?? 1
  const grouping = opts.grouping ?? 40
  if (![1, 2, 4].includes(upsampling)) throw new RangeError(`EER upsampling must be 1, 2 or 4, got ${upsampling}`)
  const hardwareFrameCount = structure.pages.length
  if (!(Number.isInteger(grouping) && grouping >= 1 && grouping <= hardwareFrameCount)) {
    throw new FormatError(source.name, 'out-of-range', `EER grouping ${grouping} must be an integer in 1..${hardwareFrameCount} (hardware frames)`)
  }
  const readElectrons = async (index: number): Promise<EerElectrons> => {
    const page: TiffPage | undefined = structure.pages[index]
    if (!page) throw new FormatError(source.name, 'out-of-range', `hardware frame ${index} requested, file has 0..${hardwareFrameCount - 1}`)
    const strips = await readPageStrips(source, page)
    const bytes = strips.length === 1 ? strips[0] : Buffer.concat(strips)
    try {
      return decodeEerFrame(bytes, compression, width, height)
    } catch (error) {
      throw new FormatError(source.name, 'corrupt', `EER hardware frame ${index}: ${(error as Error).message}`)
    }
  }
  const frameCount = Math.floor(hardwareFrameCount / grouping)
  return {
    path: source.name,
    width: width * upsampling,
    height: height * upsampling,
    frameCount,
    hardwareFrameCount,
    grouping,
    upsampling,
    compression,
    readElectrons,
    async readFrame(index) {
      if (!Number.isInteger(index) || index < 0 || index >= frameCount) {
        throw new FormatError(source.name, 'out-of-range', `frame ${index} requested, movie has frames 0..${frameCount - 1} at grouping ${grouping}`)
      }
      const image = new Float32Array(width * upsampling * height * upsampling)
      for (let h = index * grouping; h < (index + 1) * grouping; h++) renderEerElectrons(await readElectrons(h), width, upsampling, image)
      return image
    },
    close,
  }
}

export async function openEer(path: string, opts: EerOptions = {}): Promise<EerReader> {
  const handle = await openForReading(path)
  try {
    const source = await fileSource(handle, path)
    return eerReader(source, await readTiffStructure(source), opts, () => handle.close())
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** Pure in-memory variant of openEer (tests, small files). */
export async function decodeEer(bytes: Uint8Array, opts: EerOptions = {}, file = '<bytes>'): Promise<EerReader> {
  const source = memorySource(bytes, file)
  return eerReader(source, await readTiffStructure(source), opts, async () => {})
}

/** LSB-first bit writer. */
class BitWriter {
  private bytes = new Uint8Array(1024)
  private length = 0
  private buffer = 0
  private count = 0
  write(value: number, bits: number): void {
    this.buffer |= value << this.count
    this.count += bits
    while (this.count >= 8) {
      if (this.length === this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2)
        grown.set(this.bytes)
        this.bytes = grown
      }
      this.bytes[this.length++] = this.buffer & 0xff
      this.buffer >>>= 8
      this.count -= 8
    }
  }
  finish(): Uint8Array {
    if (this.count > 0) this.write(0, 8 - this.count)
    return this.bytes.slice(0, this.length)
  }
}

/** Indices of positions in ascending order; no sort when they already are (the simulator's case). */
function ascendingOrder(positions: Uint32Array): ArrayLike<number> & Iterable<number> {
  const identity = Uint32Array.from({length: positions.length}, (_, i) => i)
  const sorted = positions.every((p, i) => i === 0 || p >= positions[i - 1])
  return sorted ? identity : identity.sort((a, b) => positions[a] - positions[b])
}

/** Run-length encodes one hardware frame. Positions must be distinct (one electron per pixel per frame). */
export function encodeEerFrame(electrons: EerElectrons, compression: EerCompression, width: number, height: number): Uint8Array {
  const total = width * height
  const order = ascendingOrder(electrons.positions)
  const runBits = compression === EER_COMPRESSION.bit8 ? 8 : 7
  const skip = (1 << runBits) - 1
  const out = new BitWriter()
  const run = (length: number, code: number | undefined) => {
    out.write(length, runBits)
    if (code !== undefined) out.write(code ^ SUBPIXEL_XOR, 4)
    else if (runBits === 8) out.write(0, 4) // 65000 carries a code after a skip too
  }
  let pixel = 0
  for (const i of order) {
    const p = electrons.positions[i]
    const s = electrons.subpixels[i]
    if (!(p >= pixel && p < total)) {
      throw new RangeError(p < pixel ? `two electrons on pixel ${p} in one EER hardware frame` : `electron position ${p} outside ${width} x ${height}`)
    }
    if (s > 15) throw new RangeError(`sub-pixel code ${s} exceeds 4 bits`)
    let gap = p - pixel
    for (; gap >= skip; gap -= skip) run(skip, undefined)
    run(gap, s)
    pixel = p + 1
  }
  // Final runs reach the pixel count exactly, which is how the decoder knows the frame ended.
  let rest = total - pixel
  do {
    const length = Math.min(rest, skip)
    run(length, length === skip ? undefined : 0)
    rest -= length
  } while (rest > 0)
  return out.finish()
}

export interface EerWriteOptions {
  /** Default 4096 x 4096 (Falcon 4; RELION 3.1 reads no other size). */
  width?: number
  height?: number
  compression?: EerCompression
}

/**
 * The file's bytes in order, asking for hardware frame `i` (in ascending order, once each) only
 * when its page is laid out: a producer can make electrons frame by frame instead of all at once.
 */
export function eerFileChunks(frameCount: number, frameAt: (i: number) => EerElectrons, opts: EerWriteOptions = {}): Generator<Uint8Array> {
  const width = opts.width ?? 4096
  const height = opts.height ?? 4096
  const compression = opts.compression ?? EER_COMPRESSION.bit7
  return tiffFileChunks(frameCount, (i) => ({
    width,
    height,
    bitsPerSample: 1, // not meaningful for EER; RELION and libtiff ignore it
    compression,
    sampleFormat: 1,
    rowsPerStrip: height,
    strips: [encodeEerFrame(frameAt(i), compression, width, height)],
  }))
}

/** EER movie bytes from electron lists, one per hardware frame. */
export function encodeEer(frames: EerElectrons[], opts: EerWriteOptions = {}): Uint8Array {
  return Buffer.concat([...eerFileChunks(frames.length, (i) => frames[i], opts)])
}

export async function writeEer(path: string, frames: EerElectrons[], opts: EerWriteOptions = {}): Promise<void> {
  const handle = await open(path, 'w')
  try {
    for (const chunk of eerFileChunks(frames.length, (i) => frames[i], opts)) await writeAll(handle, chunk)
  } finally {
    await handle.close()
  }
}

/** Electrons from super-resolution coordinates (16K grid: x, y in 0..4*width-1). */
export function eerElectronsFromSuperResolution(x: ArrayLike<number>, y: ArrayLike<number>, width = 4096): EerElectrons {
  const positions = new Uint32Array(x.length)
  const subpixels = new Uint8Array(x.length)
  for (let i = 0; i < x.length; i++) {
    positions[i] = (y[i] >> 2) * width + (x[i] >> 2)
    subpixels[i] = (x[i] & 3) | ((y[i] & 3) << 2)
  }
  return {positions, subpixels}
}
