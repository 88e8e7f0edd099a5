// RELION 3.1 STAR files: data blocks holding key-value pairs and/or loops, comments kept.
// Values stay strings (RELION's own labels decide types); helpers read numbers by column.
import {readFile, writeFile} from 'node:fs/promises'
import {FormatError} from './errors.js'
import {formatStarValue, StarSyntaxError, tokenizeStar, type StarToken} from './star-syntax.js'

export interface StarPair {
  type: 'pair'
  /** Label without the leading underscore, e.g. rlnVoltage. */
  name: string
  value: string
}

export interface StarLoop {
  type: 'loop'
  /** Labels without the leading underscore, in column order. */
  columns: string[]
  rows: string[][]
}

export interface StarComment {
  type: 'comment'
  /** Text after '#'. */
  text: string
}

export type StarItem = StarPair | StarLoop | StarComment

export interface StarBlock {
  /** The part after data_ (may be empty: "data_"). */
  name: string
  items: StarItem[]
}

export interface StarFile {
  /** Comment lines before the first block, e.g. " version 30001". */
  comments: string[]
  blocks: StarBlock[]
}

/** RELION 3.1 writes this comment first; RELION 3.1 tools read 3.0 files without it too. */
export const RELION_31_VERSION_COMMENT = ' version 30001'

const isKeyword = (t: StarToken, word: string) => !t.quoted && !t.comment && t.text.toLowerCase().startsWith(word)
const isName = (t: StarToken) => !t.quoted && !t.comment && t.text.startsWith('_')
const startsItem = (t: StarToken) => isName(t) || isKeyword(t, 'data_') || isKeyword(t, 'loop_')

function parseTokens(tokens: StarToken[]): StarFile {
  const file: StarFile = {comments: [], blocks: []}
  let block: StarBlock | undefined
  let i = 0
  const fail = (t: StarToken, message: string): never => {
    throw new StarSyntaxError(t.line, message)
  }
  while (i < tokens.length) {
    const t = tokens[i]
    if (t.comment) {
      if (block) block.items.push({type: 'comment', text: t.text})
      else file.comments.push(t.text)
      i++
    } else if (isKeyword(t, 'data_')) {
      block = {name: t.text.slice(5), items: []}
      file.blocks.push(block)
      i++
    } else if (!block) {
      fail(t, `"${t.text}" before the first data_ block`)
    } else if (isKeyword(t, 'loop_')) {
      const loop: StarLoop = {type: 'loop', columns: [], rows: []}
      for (i++; i < tokens.length && (isName(tokens[i]) || tokens[i].comment); i++) {
        if (!tokens[i].comment) loop.columns.push(tokens[i].text.slice(1))
      }
      if (loop.columns.length === 0) fail(t, 'loop_ without column labels')
      let row: string[] = []
      for (; i < tokens.length && !startsItem(tokens[i]); i++) {
        if (tokens[i].comment) continue // comments between rows are not kept
        if (isKeyword(tokens[i], 'stop_')) {
          i++
          break
        }
        row.push(tokens[i].text)
        if (row.length === loop.columns.length) {
          loop.rows.push(row)
          row = []
        }
      }
      if (row.length > 0) fail(tokens[i - 1], `loop row has ${row.length} values, the loop has ${loop.columns.length} columns`)
      block.items.push(loop)
    } else if (isName(t)) {
      const value = tokens[i + 1]
      if (!value || startsItem(value) || value.comment) fail(t, `label ${t.text} has no value`)
      block.items.push({type: 'pair', name: t.text.slice(1), value: value.text})
      i += 2
    } else {
      fail(t, `unexpected value "${t.text}" outside a loop`)
    }
  }
  return file
}

export function parseStar(text: string, file = '<text>'): StarFile {
  try {
    return parseTokens([...tokenizeStar(text)])
  } catch (error) {
    if (error instanceof StarSyntaxError) throw new FormatError(file, 'syntax', error.message)
    throw error
  }
}

function formatLoop(loop: StarLoop): string[] {
  const cells = loop.rows.map((row, r) => {
    if (row.length !== loop.columns.length) throw new RangeError(`loop row ${r} has ${row.length} values for ${loop.columns.length} columns`)
    return row.map(formatStarValue)
  })
  const widths = loop.columns.map((_, c) => Math.max(0, ...cells.map((row) => row[c].length)))
  // Numbers right-aligned, text left-aligned, as RELION does; a trailing blank line ends the loop.
  const pad = (v: string, w: number) => (/^[-+]?[\d.]/.test(v) ? v.padStart(w) : v.padEnd(w))
  return [
    'loop_',
    ...loop.columns.map((c, k) => `_${c} #${k + 1}`),
    ...cells.map((row) => row.map((v, c) => pad(v, widths[c])).join(' ').trimEnd()),
    '',
  ]
}

export function formatStar(file: StarFile): string {
  const lines = file.comments.map((c) => `#${c}`)
  if (lines.length > 0) lines.push('')
  for (const block of file.blocks) {
    lines.push(`data_${block.name}`, '')
    const pairs = block.items.filter((item): item is StarPair => item.type === 'pair')
    const nameWidth = Math.max(0, ...pairs.map((p) => p.name.length + 1))
    block.items.forEach((item, k) => {
      if (item.type === 'comment') lines.push(`#${item.text}`)
      else if (item.type === 'pair') {
        lines.push(`${`_${item.name}`.padEnd(nameWidth)} ${formatStarValue(item.value)}`)
        if (block.items[k + 1]?.type !== 'pair') lines.push('')
      } else lines.push(...formatLoop(item))
    })
    lines.push('')
  }
  return lines.join('\n')
}

export async function readStar(path: string): Promise<StarFile> {
  const text = await readFile(path, 'utf8')
  if (text.length === 0) throw new FormatError(path, 'empty', 'file is empty (0 bytes)')
  return parseStar(text, path)
}

export async function writeStar(path: string, file: StarFile): Promise<void> {
  await writeFile(path, formatStar(file))
}

/** A RELION 3.1 file (with the version comment) from blocks. */
export function relionStarFile(blocks: StarBlock[]): StarFile {
  return {comments: [RELION_31_VERSION_COMMENT], blocks}
}

/** A value for a STAR cell: numbers in plain decimal (RELION reads "1e-05" too, but not NaN). */
export function starCell(value: string | number): string {
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) throw new RangeError(`STAR cells must be finite numbers, got ${value}`)
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(8)))
}

/** A block holding one loop, from column labels and rows. */
export function loopBlock(name: string, columns: string[], rows: (string | number)[][]): StarBlock {
  return {name, items: [{type: 'loop', columns, rows: rows.map((r) => r.map(starCell))}]}
}

/** A block of key-value pairs. */
export function pairsBlock(name: string, pairs: Record<string, string | number>): StarBlock {
  return {name, items: Object.entries(pairs).map(([k, v]) => ({type: 'pair', name: k, value: starCell(v)}))}
}

export function findBlock(file: StarFile, name: string): StarBlock | undefined {
  return file.blocks.find((b) => b.name === name)
}

/** The first loop of a block. */
export function blockLoop(block: StarBlock): StarLoop | undefined {
  return block.items.find((item): item is StarLoop => item.type === 'loop')
}

/** Rows as label -> value records. */
export function loopRecords(loop: StarLoop): Record<string, string>[] {
  return loop.rows.map((row) => Object.fromEntries(loop.columns.map((c, k) => [c, row[k]])))
}

/** A numeric column; `file` names the source in errors. */
export function numberColumn(loop: StarLoop, column: string, file = '<star>'): number[] {
  const k = loop.columns.indexOf(column)
  if (k < 0) throw new FormatError(file, 'corrupt', `loop has no column ${column} (columns: ${loop.columns.join(', ')})`)
  return loop.rows.map((row, r) => {
    const v = Number(row[k])
    if (Number.isNaN(v)) throw new FormatError(file, 'syntax', `row ${r + 1} column ${column}: "${row[k]}" is not a number`)
    return v
  })
}

/** Key-value pairs of a block as a record. */
export function blockPairs(block: StarBlock): Record<string, string> {
  return Object.fromEntries(block.items.filter((i): i is StarPair => i.type === 'pair').map((p) => [p.name, p.value]))
}
