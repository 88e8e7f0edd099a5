// STAR tokenizer (Hall et al. 1991, as RELION uses it): whitespace-separated tokens, '...' or
// "..." quotes that close only before whitespace, ';' text fields at line starts, '#' comments.

export interface StarToken {
  text: string
  line: number
  /** Quoted tokens are always values, never keywords or names. */
  quoted: boolean
  /** A whole-line comment, text after '#'. */
  comment?: boolean
}

export class StarSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === undefined

export function* tokenizeStar(text: string): Generator<StarToken> {
  const lines = text.split('\n')
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]
    const number = l + 1
    if (line.startsWith(';')) {
      const start = number
      const parts = [line.slice(1)]
      for (l++; l < lines.length && !lines[l].startsWith(';'); l++) parts.push(lines[l])
      if (l >= lines.length) throw new StarSyntaxError(start, 'text field opened with ";" is never closed')
      yield {text: parts.join('\n').replace(/\r$/, ''), line: start, quoted: true}
      continue
    }
    let i = 0
    while (i < line.length) {
      const c = line[i]
      if (isSpace(c)) {
        i++
        continue
      }
      if (c === '#') {
        if (line.slice(0, i).trim() === '') yield {text: line.slice(i + 1).replace(/\r$/, ''), line: number, quoted: false, comment: true}
        break
      }
      if (c === "'" || c === '"') {
        let end = i + 1
        while (end < line.length && !(line[end] === c && isSpace(line[end + 1]))) end++
        if (end >= line.length) throw new StarSyntaxError(number, `unterminated ${c}quoted${c} value`)
        yield {text: line.slice(i + 1, end), line: number, quoted: true}
        i = end + 1
        continue
      }
      let end = i
      while (end < line.length && !isSpace(line[end])) end++
      yield {text: line.slice(i, end), line: number, quoted: false}
      i = end
    }
  }
}

const RESERVED = /^(data_|loop_|save_|global_|stop_)/i

/** A value as written in a STAR file: quoted only when it must be. */
export function formatStarValue(value: string): string {
  const plain = value.length > 0 && !/[\s]/.test(value) && !/^['"_#$;]/.test(value) && !RESERVED.test(value)
  if (plain) return value
  if (value.includes('\n')) throw new RangeError(`STAR values cannot span lines: ${JSON.stringify(value)}`)
  // A quote inside a value is safe unless followed by whitespace (which would close it).
  for (const q of ['"', "'"]) if (!new RegExp(`${q}\\s`).test(value) && !value.endsWith(q)) return `${q}${value}${q}`
  throw new RangeError(`STAR value cannot be quoted: ${JSON.stringify(value)}`)
}
