// A full projects disk is a state the controller waits out, not a crash: writes that found no
// space are kept and retried, nothing they hold is acknowledged, and one alert says why until
// every part of the project writes again.
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

export function isDiskFull(error: unknown): boolean {
  if (error instanceof DiskFullError) return true
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** The error as a DiskFullError when it is one (else undefined), naming what was written. */
export function asDiskFull(error: unknown, path: string, what: string): DiskFullError | undefined {
  if (error instanceof DiskFullError) return error
  return isDiskFull(error) ? new DiskFullError(path, (error as NodeJS.ErrnoException).code!, what) : undefined
}

/** The parts of a project whose last write failed for lack of space. */
export type StoragePart = 'journal' | 'snapshot' | 'report'

export class StorageHealth {
  private readonly failing = new Map<StoragePart, DiskFullError>()

  /** onChange gets the problem when the first part fails, undefined when the last one recovers. */
  constructor(private readonly onChange: (problem: string | undefined) => void) {}

  fail(part: StoragePart, error: DiskFullError): void {
    const first = this.failing.size === 0
    this.failing.set(part, error)
    if (first) this.onChange(this.problem())
  }

  ok(part: StoragePart): void {
    if (!this.failing.delete(part)) return
    if (this.failing.size === 0) this.onChange(undefined)
  }

  /** What fails, for people: the first failure's message and every part affected; undefined when all is well. */
  problem(): string | undefined {
    const [first] = this.failing.values()
    if (!first) return undefined
    const held = this.failing.has('journal') ? '; nothing new is acknowledged to agents (they keep their events) until space returns' : ''
    return `the projects disk is full: ${first.message} (failing: ${[...this.failing.keys()].join(', ')})${held}`
  }
}
