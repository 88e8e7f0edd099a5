// RELION coordinate files, `<micrograph>_<pickname>.star`, laid out exactly as relion_autopick
// --LoG writes them (one unnamed data block; class 0 and psi 0 for orientation-free picks), so
// relion_preprocess --extract and relion_star_handler read ours like RELION's own.

export interface CoordinateRow {
  x: number
  y: number
  figureOfMerit: number
}

const COLUMNS = ['rlnCoordinateX', 'rlnCoordinateY', 'rlnAutopickFigureOfMerit', 'rlnClassNumber', 'rlnAnglePsi']

export function formatCoordinateStar(rows: CoordinateRow[]): string {
  const header = ['', '# version 30001', '', 'data_', '', 'loop_ ', ...COLUMNS.map((c, i) => `_${c} #${i + 1} `)]
  const body = rows.map((r) => `${num(r.x)} ${num(r.y)} ${num(r.figureOfMerit)} ${'0'.padStart(12)} ${num(0)} `)
  return [...header, ...body, '', ''].join('\n')
}

function num(v: number): string {
  return v.toFixed(6).padStart(12)
}

/**
 * Reads the coordinates of any RELION coordinate STAR (ours or relion_autopick's): the first
 * loop with rlnCoordinateX/Y; a missing figure of merit reads as NaN.
 */
export function parseCoordinateStar(text: string, file = '<text>'): CoordinateRow[] {
  const lines = text.split(/\r?\n/)
  let i = lines.findIndex((l) => l.trim() === 'loop_')
  while (i >= 0) {
    const labels: string[] = []
    let j = i + 1
    for (; j < lines.length && lines[j].trim().startsWith('_'); j++) labels.push(lines[j].trim().split(/\s+/)[0].slice(1))
    const xi = labels.indexOf('rlnCoordinateX')
    const yi = labels.indexOf('rlnCoordinateY')
    if (xi >= 0 && yi >= 0) return readRows(lines, j, labels.length, xi, yi, labels.indexOf('rlnAutopickFigureOfMerit'), file)
    const next = lines.slice(j).findIndex((l) => l.trim() === 'loop_')
    i = next < 0 ? -1 : j + next
  }
  throw new CoordinateStarError(file, 'no loop with rlnCoordinateX and rlnCoordinateY')
}

function readRows(lines: string[], start: number, width: number, xi: number, yi: number, fi: number, file: string): CoordinateRow[] {
  const rows: CoordinateRow[] = []
  for (let k = start; k < lines.length; k++) {
    const line = lines[k].trim()
    if (line === '') continue
    if (line.startsWith('data_') || line.startsWith('loop_')) break
    if (line.startsWith('#')) continue
    const f = line.split(/\s+/)
    if (f.length < width) throw new CoordinateStarError(file, `line ${k + 1} has ${f.length} values, the loop has ${width} columns`)
    const x = Number(f[xi])
    const y = Number(f[yi])
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new CoordinateStarError(file, `line ${k + 1}: coordinates "${f[xi]} ${f[yi]}" are not numbers`)
    rows.push({x, y, figureOfMerit: fi >= 0 ? Number(f[fi]) : NaN})
  }
  return rows
}

export class CoordinateStarError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'CoordinateStarError'
  }
}
