// The report is published off the acquisition machine: absolute paths there say nothing useful
// to a reader and reveal the facility's layout, so only their last component is kept.

// A POSIX absolute path (/a/b...) or a Windows drive path (C:\a\b...), up to whitespace or a quote.
const ABSOLUTE_PATH = /(?<![\w.~:/])(?:\/(?:[^\s/"'`,;:=]+\/)+|[A-Za-z]:\\(?:[^\s\\"'`,;:=]+\\)+)(?=[^\s/\\"'`,;:=]*)/g

/** Replaces the folders of every absolute path in `text` with nothing: `/data/x/a.mrc` -> `a.mrc`. */
export function redactPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, '')
}

/** The file name of a path (POSIX or Windows separators). */
export function fileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
}
