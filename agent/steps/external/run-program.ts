// Runs one external program: an argv array (never a shell), a working folder, an optional stdin
// script, a timeout and a cancellation signal. Any way it can go wrong becomes an
// ExternalProgramError carrying the argv and the stderr tail.
import {execa} from 'execa'
import {ExternalProgramError} from './errors.js'

/** Characters of stderr / stdout kept for errors and provenance. */
export const TAIL_CHARS = 4000

export interface ProgramCall {
  /** Name used in messages and provenance, e.g. "ctffind". */
  program: string
  /** Command name (looked up on PATH) or path. */
  executable: string
  args: string[]
  cwd: string
  /** Written to the program's stdin, then stdin is closed. */
  stdin?: string
  timeoutSeconds: number
  signal?: AbortSignal
  env?: Record<string, string>
}

export interface ProgramOutput {
  argv: string[]
  /** Whole stdout (parsers read it), and the tails kept for provenance. */
  stdout: string
  stdoutTail: string
  stderrTail: string
  exitCode: number
  durationMs: number
}

export function tail(text: string, chars = TAIL_CHARS): string {
  return text.length <= chars ? text : text.slice(text.length - chars)
}

export async function runProgram(call: ProgramCall): Promise<ProgramOutput> {
  const argv = [call.executable, ...call.args]
  const started = Date.now()
  const result = await execa(call.executable, call.args, {
    cwd: call.cwd,
    input: call.stdin ?? '',
    timeout: call.timeoutSeconds * 1000,
    cancelSignal: call.signal,
    forceKillAfterDelay: 5000,
    env: call.env,
    reject: false,
    shell: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  })
  const stdout = String(result.stdout ?? '')
  const stderrTail = tail(String(result.stderr ?? ''))
  const fail = (failure: ConstructorParameters<typeof ExternalProgramError>[1], problem: string) =>
    new ExternalProgramError(call.program, failure, problem, argv, stderrTail, result.exitCode ?? null)
  if (result.timedOut) throw fail('timeout', `timed out after ${call.timeoutSeconds} s (${argv.join(' ')})`)
  if (result.isCanceled) throw fail('cancelled', 'cancelled')
  if ((result as {code?: string}).code === 'ENOENT') {
    throw fail('not-found', `executable "${call.executable}" not found (PATH or the workflow's executable setting)`)
  }
  if (result.signal) throw fail('signal', `killed by ${result.signal} (crash?) running ${argv.join(' ')}`)
  if (result.exitCode !== 0) throw fail('exit', `exit status ${result.exitCode ?? 'unknown'} running ${argv.join(' ')}`)
  return {argv, stdout, stdoutTail: tail(stdout), stderrTail, exitCode: 0, durationMs: Date.now() - started}
}
