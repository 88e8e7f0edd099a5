// One reader for every movie format: frames come out as float32 in MRC orientation
// (TIFF Y-flipped, EER in stream order, exactly as RELION 3.1 reads them), one frame at a time.
import {openForReading} from './file-range.js'
import {FormatError} from './errors.js'
import {openMrc} from './mrc-read.js'
import {isEerCompression, openEer} from './eer.js'
import {openTiff} from './tiff.js'
import {readTiffByteOrder, readIfd, TAG} from './tiff-structure.js'
import {fileSource} from './byte-source.js'

export type MovieFormat = 'mrc' | 'tiff' | 'eer'

export interface MovieReader {
  path: string
  format: MovieFormat
  width: number
  height: number
  frameCount: number
  /** Angstrom per pixel, when the file records it. */
  pixelSize?: number
  /** Electrons per A^2 per frame, when the file records it. */
  dosePerFrame?: number
  readFrame(index: number): Promise<Float32Array>
  close(): Promise<void>
}

export interface MovieOptions {
  /** EER rendering: 1 = 4K, 2 = 8K, 4 = 16K (RELION --eer_upsampling). Default 1. */
  eerUpsampling?: 1 | 2 | 4
  /** EER hardware frames summed per rendered frame (RELION --eer_grouping). Default 40. */
  eerGrouping?: number
}

const TIFF_MAGIC = [
  [0x49, 0x49, 0x2a, 0x00],
  [0x4d, 0x4d, 0x00, 0x2a],
]

/** Sniffs the content, not the name: TIFF magic means TIFF or EER, told apart by page 0's compression. */
export async function detectMovieFormat(path: string): Promise<MovieFormat> {
  const handle = await openForReading(path)
  try {
    const magic = new Uint8Array(4)
    const {bytesRead} = await handle.read(magic, 0, 4, 0)
    if (bytesRead === 0) throw new FormatError(path, 'empty', 'file is empty (0 bytes)')
    const isTiff = bytesRead === 4 && TIFF_MAGIC.some((m) => m.every((b, i) => magic[i] === b))
    if (!isTiff) return 'mrc'
    const source = await fileSource(handle, path)
    const {littleEndian, firstIfd} = await readTiffByteOrder(source)
    const {tags} = await readIfd(source, firstIfd, littleEndian)
    const compression = tags.get(TAG.Compression)
    return Array.isArray(compression) && isEerCompression(compression[0]) ? 'eer' : 'tiff'
  } finally {
    await handle.close()
  }
}

export async function openMovie(path: string, opts: MovieOptions = {}): Promise<MovieReader> {
  const format = await detectMovieFormat(path)
  if (format === 'mrc') return openMrcMovie(path)
  if (format === 'tiff') return openTiffMovie(path)
  return openEerMovie(path, opts)
}

async function openEerMovie(path: string, opts: MovieOptions): Promise<MovieReader> {
  const eer = await openEer(path, {upsampling: opts.eerUpsampling, grouping: opts.eerGrouping})
  return {
    path,
    format: 'eer',
    width: eer.width,
    height: eer.height,
    frameCount: eer.frameCount,
    readFrame: (i) => eer.readFrame(i),
    close: () => eer.close(),
  }
}

async function openTiffMovie(path: string): Promise<MovieReader> {
  const tiff = await openTiff(path)
  return {
    path,
    format: 'tiff',
    width: tiff.width,
    height: tiff.height,
    frameCount: tiff.frameCount,
    readFrame: (i) => tiff.readFrame(i),
    close: () => tiff.close(),
  }
}

async function openMrcMovie(path: string): Promise<MovieReader> {
  const mrc = await openMrc(path)
  return {
    path,
    format: 'mrc',
    width: mrc.width,
    height: mrc.height,
    frameCount: mrc.depth,
    pixelSize: mrc.pixelSize > 0 ? mrc.pixelSize : undefined,
    dosePerFrame: mrc.dosePerFrame,
    readFrame: (i) => mrc.readSection(i),
    close: () => mrc.close(),
  }
}
