// Is a movie that is still being copied or written finished? Decided from structure alone, reading
// at most the 1024-byte MRC header or the TIFF/EER IFD chain (a few bytes per frame), never pixels.
// A growing TIFF whose last IFD is already terminated looks complete: the watcher's stability
// check (size and mtime unchanged) covers that case.
import type {FileHandle} from 'node:fs/promises'
import {fileSource} from './byte-source.js'
import {FormatError} from './errors.js'
import {openForReading, readRange} from './file-range.js'
import {decodeMrcHeader, MRC_HEADER_BYTES} from './mrc-header.js'
import {impliedMrcFileSize, mrcHeaderProblems, codecFor} from './mrc-validate.js'
import {readTiffStructure} from './tiff-structure.js'

export interface Completeness {
  complete: boolean
  reason?: string
}

const TIFF_ORDER_MARKS = ['II', 'MM']

async function mrcCompleteness(handle: FileHandle, path: string, size: number): Promise<Completeness> {
  if (size < MRC_HEADER_BYTES) return {complete: false, reason: `${size} bytes, the MRC header alone is 1024`}
  const header = decodeMrcHeader(await readRange(handle, path, 0, MRC_HEADER_BYTES), path)
  const [problem] = mrcHeaderProblems(header)
  if (problem) return {complete: false, reason: problem.problem}
  const implied = impliedMrcFileSize(header, codecFor(header)!)
  if (size < implied) return {complete: false, reason: `${size} of ${implied} bytes the header implies`}
  if (size > implied) return {complete: false, reason: `${size} bytes, more than the ${implied} the header implies (not a valid MRC file)`}
  return {complete: true}
}

async function tiffCompleteness(handle: FileHandle, path: string): Promise<Completeness> {
  const {pages} = await readTiffStructure(await fileSource(handle, path))
  return pages.length > 0 ? {complete: true} : {complete: false, reason: 'no pages yet'}
}

export async function checkComplete(path: string): Promise<Completeness> {
  let handle: FileHandle
  try {
    handle = await openForReading(path)
  } catch (error) {
    return {complete: false, reason: `cannot open: ${(error as Error).message}`}
  }
  try {
    const {size} = await handle.stat()
    if (size === 0) return {complete: false, reason: 'empty file'}
    const mark = new Uint8Array(2)
    await handle.read(mark, 0, 2, 0)
    const isTiff = size >= 2 && TIFF_ORDER_MARKS.includes(String.fromCharCode(mark[0], mark[1]))
    return isTiff ? await tiffCompleteness(handle, path) : await mrcCompleteness(handle, path, size)
  } catch (error) {
    if (error instanceof FormatError) return {complete: false, reason: error.problem}
    throw error
  } finally {
    await handle.close()
  }
}
