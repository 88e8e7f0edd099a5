// Why an external program's step failed, with what the user needs to act on it: the program,
// the full argv, and the tail of what it wrote to stderr.

export type ExternalFailure = 'not-found' | 'exit' | 'signal' | 'timeout' | 'cancelled' | 'missing-output' | 'unparseable' | 'bad-option'

export class ExternalProgramError extends Error {
  constructor(
    readonly program: string,
    readonly failure: ExternalFailure,
    readonly problem: string,
    readonly argv: string[] = [],
    readonly stderrTail = '',
    readonly exitCode: number | null = null,
  ) {
    super(`${program}: ${problem}${stderrTail ? `\n--- stderr (tail) ---\n${stderrTail}` : ''}`)
    this.name = 'ExternalProgramError'
  }
}
