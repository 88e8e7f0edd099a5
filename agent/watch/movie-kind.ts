// What a found file is: its container format and whether it is a movie (frames to align) or
// already a 2D micrograph (one section), which skips motion correction.
import {extname} from 'node:path'
import {openMovie} from '../../core/formats/movie.js'

export interface MovieKind {
  format: 'mrc' | 'tiff' | 'eer'
  kind: 'movie' | 'micrograph'
}

export function formatFromName(path: string): MovieKind['format'] {
  const ext = extname(path).toLowerCase()
  if (ext === '.eer') return 'eer'
  if (ext === '.tif' || ext === '.tiff') return 'tiff'
  return 'mrc'
}

/** An unreadable file is reported as a movie: its motion step then fails with the reader's reason. */
export async function describeMovie(path: string): Promise<MovieKind> {
  const format = formatFromName(path)
  try {
    const reader = await openMovie(path)
    try {
      return {format: format === 'eer' ? 'eer' : reader.format, kind: reader.frameCount === 1 ? 'micrograph' : 'movie'}
    } finally {
      await reader.close()
    }
  } catch {
    return {format, kind: 'movie'}
  }
}
