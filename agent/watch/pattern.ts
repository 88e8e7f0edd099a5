// Movie file patterns ("*.tiff", "**/Data/*_fractions.{tif,eer}", several joined by commas).
// chokidar 4 dropped glob support, so the watcher filters paths with this matcher itself.
import {basename, relative, sep} from 'node:path'

export type PathMatcher = (absolutePath: string) => boolean

/** Compiles a comma-separated list of globs; a glob without "/" matches the file name alone. */
export function compilePattern(pattern: string, root: string): PathMatcher {
  const globs = splitTopLevel(pattern.trim()).map((g) => g.trim()).filter((g) => g.length > 0)
  if (globs.length === 0) throw new Error(`movie pattern "${pattern}" holds no glob`)
  const compiled = globs.map((g) => ({byName: !g.includes('/'), regex: globToRegExp(g)}))
  return (absolutePath) => {
    const rel = relative(root, absolutePath).split(sep).join('/')
    const name = basename(absolutePath)
    return compiled.some((c) => c.regex.test(c.byName ? name : rel))
  }
}

/** `*` = any run within a path segment, `**` = any number of segments, `?` = one char, `{a,b}` = either. */
export function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/'
      out += slash ? '(?:.*/)?' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else if (c === '{') {
      const end = glob.indexOf('}', i)
      if (end < 0) throw new Error(`movie pattern "${glob}": "{" without "}"`)
      const options = glob.slice(i + 1, end).split(',').map((o) => globToRegExp(o).source.slice(1, -1))
      out += `(?:${options.join('|')})`
      i = end
    } else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`, 'i')
}

/** Splits on commas that are not inside braces. */
function splitTopLevel(pattern: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++
    else if (pattern[i] === '}') depth--
    else if (pattern[i] === ',' && depth === 0) {
      parts.push(pattern.slice(start, i))
      start = i + 1
    }
  }
  parts.push(pattern.slice(start))
  return parts
}
