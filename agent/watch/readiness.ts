// Decides when a movie file is finished: its size and mtime have not changed for a short
// window AND its format says it is complete (MRC size == header-implied size, TIFF/EER
// structure whole). Stability alone fails on slow shares; the format check alone fails on
// writers that pre-allocate, so both must hold.
import {stat} from 'node:fs/promises'

export interface Completeness {
  complete: boolean
  reason?: string
}
export type CompletenessCheck = (path: string) => Promise<Completeness>

export interface ReadinessOptions {
  /** How long size and mtime must stay unchanged (ms). */
  stableMs: number
  /** Re-stat interval while a file is changing (ms). */
  pollMs: number
  /** Longest interval between checks of a file that is stable but not yet complete (ms). */
  maxPollMs: number
  /**
   * A file stable this long that its format still calls incomplete (a truncated or corrupt
   * movie, not a slow copy) is handed on with the reason, so it fails visibly instead of
   * waiting forever (ms).
   */
  giveUpMs: number
  checkComplete: CompletenessCheck
}

export const defaultReadinessTiming = {stableMs: 300, pollMs: 100, maxPollMs: 5000, giveUpMs: 120_000}

export interface ReadyFile {
  path: string
  size: number
  mtimeMs: number
  /** Set when the file was handed on after giveUpMs although its format says incomplete. */
  incomplete?: string
}

interface Tracked {
  size: number
  mtimeMs: number
  stableSince: number
  delay: number
  timer?: NodeJS.Timeout
  checking: boolean
  /** Last reason the format check gave, so a stuck file can be explained. */
  incompleteReason?: string
}

export class ReadinessTracker {
  private readonly tracked = new Map<string, Tracked>()
  private closed = false

  constructor(
    private readonly options: ReadinessOptions,
    private readonly onReady: (file: ReadyFile) => void,
    private readonly onVanished: (path: string) => void = () => {},
  ) {}

  /** Starts (or, after a change notification, hurries) the checks of a file. */
  track(path: string): void {
    if (this.closed) return
    const known = this.tracked.get(path)
    if (known) {
      known.delay = this.options.pollMs
      if (!known.checking) this.schedule(path, known)
      return
    }
    const entry: Tracked = {size: -1, mtimeMs: -1, stableSince: Date.now(), delay: this.options.pollMs, checking: false}
    this.tracked.set(path, entry)
    this.schedule(path, entry, 0)
  }

  forget(path: string): void {
    const entry = this.tracked.get(path)
    if (entry?.timer) clearTimeout(entry.timer)
    this.tracked.delete(path)
  }

  /** Files seen but not yet ready, with why (for status and logs). */
  pending(): {path: string; reason?: string}[] {
    return [...this.tracked].map(([path, t]) => ({path, reason: t.incompleteReason}))
  }

  close(): void {
    this.closed = true
    for (const path of [...this.tracked.keys()]) this.forget(path)
  }

  private schedule(path: string, entry: Tracked, delay = entry.delay): void {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = setTimeout(() => void this.check(path, entry), delay)
  }

  private async check(path: string, entry: Tracked): Promise<void> {
    entry.timer = undefined
    entry.checking = true
    try {
      const verdict = await this.verdict(path, entry)
      if (this.tracked.get(path) !== entry) return
      if (verdict === 'vanished') {
        this.forget(path)
        this.onVanished(path)
      } else if (verdict === 'ready' || verdict === 'given-up') {
        this.forget(path)
        const file: ReadyFile = {path, size: entry.size, mtimeMs: entry.mtimeMs}
        if (verdict === 'given-up') file.incomplete = entry.incompleteReason ?? 'format incomplete'
        this.onReady(file)
      } else this.schedule(path, entry)
    } finally {
      entry.checking = false
    }
  }

  private async verdict(path: string, entry: Tracked): Promise<'ready' | 'waiting' | 'given-up' | 'vanished'> {
    const now = Date.now()
    let s
    try {
      s = await stat(path)
    } catch {
      return 'vanished'
    }
    // A FIFO or device named like a movie never becomes one: handed on at once to fail with the reason.
    if (!s.isFile()) {
      entry.incompleteReason = 'not a regular file'
      return 'given-up'
    }
    if (s.size !== entry.size || s.mtimeMs !== entry.mtimeMs) {
      entry.size = s.size
      entry.mtimeMs = s.mtimeMs
      entry.stableSince = now
      entry.delay = this.options.pollMs
      return 'waiting'
    }
    const unchangedFor = now - entry.stableSince
    if (unchangedFor < this.options.stableMs) {
      entry.delay = Math.max(1, Math.min(this.options.pollMs, this.options.stableMs - unchangedFor))
      return 'waiting'
    }
    const completeness = await this.options.checkComplete(path).catch(
      (e: unknown): Completeness => ({complete: false, reason: e instanceof Error ? e.message : String(e)}),
    )
    if (completeness.complete) return 'ready'
    entry.incompleteReason = completeness.reason
    if (unchangedFor >= this.options.giveUpMs) return 'given-up'
    // Stable but incomplete: a stalled copy. Back off so thousands of these cost little.
    entry.delay = Math.min(entry.delay * 2, this.options.maxPollMs, Math.max(1, this.options.giveUpMs - unchangedFor))
    return 'waiting'
  }
}
