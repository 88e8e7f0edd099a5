/** What went wrong with a file, as a stable code callers and tests can switch on. */
export type FormatProblemCode =
  | 'empty' // zero-byte file
  | 'truncated' // shorter than its header says
  | 'size-mismatch' // header dimensions do not fit the file size
  | 'not-format' // content is not the format its name says
  | 'unknown-mode' // MRC mode / TIFF sample layout we cannot decode
  | 'absurd-dimensions' // non-positive or impossibly large dimensions
  | 'non-finite' // NaN or Inf pixel values
  | 'corrupt' // inconsistent internal structure (bad offsets, broken streams)
  | 'syntax' // text formats (STAR): a line that does not parse
  | 'out-of-range' // a frame or section index past the end
  | 'not-regular' // a FIFO, socket, device or directory where a file was expected

/** A file that cannot be read as its format: names the file and the problem, never a crash. */
export class FormatError extends Error {
  override readonly name = 'FormatError'
  constructor(
    readonly file: string,
    readonly code: FormatProblemCode,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`)
  }
}
