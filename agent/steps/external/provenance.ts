// What an external step records about the run that made its result: the program, its version
// and the full argv, so a result can be reproduced by hand.
import type {ProgramOutput} from './run-program.js'

export interface ExternalProvenance {
  program: string
  version: string
  /** The command run for this result (argv[0] = the executable's path). */
  argv: string[]
  /** Working folder the commands ran in. */
  cwd: string
  exitStatus: number
  stderrTail: string
  /** Answers given on stdin (CTFFIND), one per line. */
  stdin?: string[]
  /** The program a wrapper drove (relion_run_ctffind -> CTFFIND). */
  ctffind?: {path: string; version: string}
}

/** Results of external steps carry their provenance next to the core/results fields. */
export type WithProvenance<R> = R & {provenance: ExternalProvenance}

export function provenanceOf(program: string, version: string, cwd: string, run: ProgramOutput): ExternalProvenance {
  return {program, version, argv: run.argv, cwd, exitStatus: run.exitCode, stderrTail: run.stderrTail}
}
