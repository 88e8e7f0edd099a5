// RELION coordinate files, `<micrograph>_<pickname>.star`, with the columns relion_autopick
// --LoG writes (one unnamed data block; class 0 and psi 0 for orientation-free picks), so
// relion_preprocess --extract and relion_star_handler read ours like RELION's own.
import {FormatError} from '../../../core/formats/errors.js'
import {formatStar, loopBlock, numberColumn, parseStar, relionStarFile, type StarLoop} from '../../../core/formats/star.js'

export interface CoordinateRow {
  x: number
  y: number
  figureOfMerit: number
}

const COLUMNS = ['rlnCoordinateX', 'rlnCoordinateY', 'rlnAutopickFigureOfMerit', 'rlnClassNumber', 'rlnAnglePsi']

export function formatCoordinateStar(rows: CoordinateRow[]): string {
  return formatStar(relionStarFile([loopBlock('', COLUMNS, rows.map((r) => [r.x, r.y, r.figureOfMerit, 0, 0]))]))
}

/**
 * Reads the coordinates of any RELION coordinate STAR (ours or relion_autopick's): the first
 * loop with rlnCoordinateX/Y; a missing figure of merit reads as NaN.
 */
export function parseCoordinateStar(text: string, file = '<text>'): CoordinateRow[] {
  const loop = parseStar(text, file)
    .blocks.flatMap((b) => b.items)
    .find((item): item is StarLoop => item.type === 'loop' && item.columns.includes('rlnCoordinateX') && item.columns.includes('rlnCoordinateY'))
  if (!loop) throw new FormatError(file, 'corrupt', 'no loop with rlnCoordinateX and rlnCoordinateY')
  const xs = numberColumn(loop, 'rlnCoordinateX', file)
  const ys = numberColumn(loop, 'rlnCoordinateY', file)
  const foms = loop.columns.includes('rlnAutopickFigureOfMerit') ? numberColumn(loop, 'rlnAutopickFigureOfMerit', file) : undefined
  return xs.map((x, i) => ({x, y: ys[i], figureOfMerit: foms ? foms[i] : NaN}))
}
