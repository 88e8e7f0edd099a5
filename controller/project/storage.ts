// A full projects disk is a state the controller waits out, not a crash: writes that found no
// space are kept and retried, nothing they hold is acknowledged, and one alert says why until
// every part of the project writes again (controller/monitors raises it from storageProblem()).
import {ProjectError} from './errors.js'

/** Monitor key of the alert a project raises while its disk refuses writes. */
export const STORAGE_ALERT = 'controller-storage'

/** A write refused for lack of space (ENOSPC) or quota (EDQUOT); `code` is the system's. */
export class DiskFullError extends ProjectError {
  constructor(
    path: string,
    readonly code: string,
    what: string,
  ) {
    super(path, `${what}: no space left (${code})`)
  }
}

/** ENOSPC or EDQUOT: from the error's code, or its message (errors from a worker thread keep only that). */
function diskFullCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') return code
  return /\b(ENOSPC|EDQUOT)\b/.exec(error.message)?.[1]
}

export function isDiskFull(error: unknown): boolean {
  return error instanceof DiskFullError || diskFullCode(error) !== undefined
}

/** The error as a DiskFullError when it is one (else undefined), naming what was written. */
export function asDiskFull(error: unknown, path: string, what: string): DiskFullError | undefined {
  if (error instanceof DiskFullError) return error
  const code = diskFullCode(error)
  return code ? new DiskFullError(path, code, what) : undefined
}

/** The parts of a project whose last write failed for lack of space. */
export type StoragePart = 'journal' | 'snapshot' | 'report'

export interface StorageProblem {
  message: string
  /** When the first of the failing parts failed (ms since the epoch). */
  since: number
}

export class StorageHealth {
  private readonly failing = new Map<StoragePart, DiskFullError>()
  private since = 0

  /** onChange gets the problem when the first part fails, undefined when the last one recovers. */
  constructor(private readonly onChange: (problem: string | undefined) => void) {}

  fail(part: StoragePart, error: DiskFullError): void {
    const first = this.failing.size === 0
    this.failing.set(part, error)
    if (!first) return
    this.since = Date.now()
    this.onChange(this.problem()!.message)
  }

  ok(part: StoragePart): void {
    if (!this.failing.delete(part)) return
    if (this.failing.size === 0) this.onChange(undefined)
  }

  /** What fails, for people: the first failure's message and every part affected; undefined when all is well. */
  problem(): StorageProblem | undefined {
    const [first] = this.failing.values()
    if (!first) return undefined
    const held = this.failing.has('journal') ? '; nothing new is acknowledged to agents (they keep their events) until space returns' : ''
    return {message: `the projects disk is full: ${first.message} (failing: ${[...this.failing.keys()].join(', ')})${held}`, since: this.since}
  }
}
