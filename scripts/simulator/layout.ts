// Where each movie goes and what it is called: a flat folder (SerialEM-like movie_00001.tif)
// or EPU-like Images-Disc1/GridSquare_<id>/Data/FoilHole_<id>_Data_<id>_<id>_<date>_<time>_Fractions.mrc.
import type {MovieFormat} from './write-movie.js'

export type Layout = 'flat' | 'epu'

export interface MovieLocation {
  /** Folder relative to the data folder ('' for flat). */
  dir: string
  fileName: string
  /** EPU: the XML sidecar's name (the movie's name without the _Fractions suffix). */
  epuStem: string
}

const MOVIES_PER_GRID_SQUARE = 16
const FLAT_EXTENSION: Record<MovieFormat, string> = {mrc: 'mrc', tiff: 'tif', eer: 'eer'}
const EPU_SUFFIX: Record<MovieFormat, string> = {mrc: '_Fractions.mrc', tiff: '_fractions.tiff', eer: '_EER.eer'}

export function gridSquareOf(index: number): number {
  return 1_820_000 + 37 * Math.floor(index / MOVIES_PER_GRID_SQUARE)
}

/** Location of movie `index`; `gridSquare` overrides the folder (duplicates land in another square). */
export function movieLocation(layout: Layout, format: MovieFormat, index: number, acquired: Date, gridSquare = gridSquareOf(index)): MovieLocation {
  if (layout === 'flat') return {dir: '', fileName: `movie_${String(index + 1).padStart(5, '0')}.${FLAT_EXTENSION[format]}`, epuStem: ''}
  const hole = 3_100_000 + 11 * index
  const [date, time] = epuTimestamp(acquired)
  const stem = `FoilHole_${hole}_Data_${4_200_000 + (index % 4)}_${4_300_001 + (index % 3)}_${date}_${time}`
  return {dir: `Images-Disc1/GridSquare_${gridSquare}/Data`, fileName: stem + EPU_SUFFIX[format], epuStem: stem}
}

function epuTimestamp(d: Date): [string, string] {
  const iso = d.toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  return [iso.slice(0, 10).replaceAll('-', ''), iso.slice(11, 19).replaceAll(':', '')]
}
