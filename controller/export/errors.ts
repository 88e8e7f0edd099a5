/** An export that cannot be written; names the movie or file and the problem. */
export class ExportError extends Error {
  override readonly name = 'ExportError'
  constructor(
    readonly subject: string,
    readonly problem: string,
  ) {
    super(`${subject}: ${problem}`)
  }
}
