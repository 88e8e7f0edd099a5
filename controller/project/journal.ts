// Append-only journal of applied changes, one JSON line each, in segments named by their first
// index. Appends are group-committed: all lines appended while one write+fdatasync runs go out in
// the next, so durable() resolves within one or two disk flushes however many events arrive.
// A write that finds the disk full is cut back to whole lines and retried until space returns.
import {closeSync, existsSync, fdatasync, fstatSync, ftruncateSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, write} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ProjectError} from './errors.js'
import type {JournalEntry, JournalRecord} from './records.js'
import {asDiskFull, type DiskFullError} from './storage.js'

const SEGMENT = /^(\d{12})\.jsonl$/
const segmentName = (firstIndex: number) => `${String(firstIndex).padStart(12, '0')}.jsonl`

/** Segment files of a journal folder, oldest first. */
export function listSegments(dir: string): {file: string; firstIndex: number}[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((name) => SEGMENT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({file: join(dir, m[0]), firstIndex: Number(m[1])}))
    .sort((a, b) => a.firstIndex - b.firstIndex)
}

export interface ReadJournalOptions {
  /** Cut a torn last line (a crash mid-append) off the file, so appends continue cleanly. */
  repairTail: boolean
}

/**
 * Records with j > afterIndex, in order. A torn last line of the newest segment (never
 * acknowledged: acks wait for fdatasync) is ignored; a bad line anywhere else is corruption.
 */
export function readJournal(dir: string, afterIndex: number, options: ReadJournalOptions): JournalRecord[] {
  const segments = listSegments(dir)
  const records: JournalRecord[] = []
  let last = -Infinity
  segments.forEach(({file}, s) => {
    const text = readFileSync(file, 'utf8')
    const lines = text.split('\n')
    // The text after the last '\n' is a line whose append did not complete.
    const torn = lines.pop()!
    let goodChars = text.length - torn.length
    lines.forEach((line, n) => {
      let record: JournalRecord
      try {
        record = JSON.parse(line) as JournalRecord
      } catch {
        const isTail = s === segments.length - 1 && n === lines.length - 1
        if (!isTail) throw new ProjectError(file, `journal line ${n + 1} is corrupt (not JSON)`)
        goodChars -= line.length + 1
        return
      }
      if (!(record.j > last)) throw new ProjectError(file, `journal line ${n + 1}: index ${record.j} does not follow ${last}`)
      last = record.j
      if (record.j > afterIndex) records.push(record)
    })
    if (options.repairTail && goodChars < text.length) truncateTo(file, text, goodChars)
  })
  return records
}

function truncateTo(file: string, text: string, goodChars: number): void {
  const fd = openSync(file, 'r+')
  try {
    ftruncateSync(fd, Buffer.byteLength(text.slice(0, goodChars)))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function serialise(record: JournalRecord, messageText: string | undefined): string {
  // Parsed JSON may still hold raw newlines between tokens; a journal line must not.
  if (record.type !== 'event' || messageText === undefined || messageText.includes('\n')) return JSON.stringify(record)
  return `{"j":${record.j},"type":"event","receivedAt":${record.receivedAt},"message":${messageText}}`
}

interface Waiter {
  index: number
  resolve: () => void
  reject: (error: Error) => void
}

/** What the project hears from its journal. */
export interface JournalHooks {
  /** Every record up to index is on disk. */
  onDurable?(index: number): void
  /** A write found the disk full: the records are kept in memory and retried until it succeeds. */
  onStall?(error: DiskFullError): void
  /** A write went through again after a stall. */
  onRecover?(): void
}

const RETRY_FIRST_MS = 250
const RETRY_MAX_MS = 5000

// Plain fds (not FileHandle) so that switching segments is synchronous: no append can slip in between.
const writeBytes = promisify(write) as (fd: number, bytes: Buffer, offset: number, length: number) => Promise<{bytesWritten: number}>
const dataSync = promisify(fdatasync)

export class Journal {
  private fd: number | undefined
  /** Bytes of the current segment that hold whole lines (a failed write is cut back to this). */
  private size = 0
  private pending: string[] = []
  private pendingLast = 0
  private durableIndex: number
  private waiters: Waiter[] = []
  private flushing: Promise<void> | undefined
  /** A write error other than a full disk: nothing more is accepted. */
  private failure: Error | undefined
  /** Set while the disk is full: pending records wait for the retry timer. */
  private stall: DiskFullError | undefined
  private retryMs = RETRY_FIRST_MS
  private retryTimer: NodeJS.Timeout | undefined
  private closing = false

  private constructor(
    readonly dir: string,
    private nextIndex: number,
    private readonly hooks: JournalHooks,
  ) {
    this.durableIndex = nextIndex - 1
  }

  /** Opens a journal for appending after lastIndex (what the snapshot + replay reached). */
  static async open(dir: string, lastIndex: number, hooks: JournalHooks = {}): Promise<Journal> {
    mkdirSync(dir, {recursive: true})
    const journal = new Journal(dir, lastIndex + 1, hooks)
    const segments = listSegments(dir)
    journal.openSegment(segments.length > 0 ? segments[segments.length - 1].file : join(dir, segmentName(lastIndex + 1)))
    return journal
  }

  /** Index of the last appended record (durable or not). */
  get lastIndex(): number {
    return this.nextIndex - 1
  }

  /** The disk-full error while writes wait for space, else undefined. */
  get stalled(): DiskFullError | undefined {
    return this.stall
  }

  /**
   * Appends a record; it becomes durable with the next flush. messageText, for an event record,
   * is its message's JSON as received: embedded as it is rather than serialised again.
   */
  append(entry: JournalEntry, messageText?: string): JournalRecord {
    if (this.failure) throw this.failure
    const record = {...entry, j: this.nextIndex++} as JournalRecord
    this.pending.push(serialise(record, messageText))
    this.pendingLast = record.j
    this.scheduleFlush()
    return record
  }

  /**
   * Resolves once every record appended so far is on disk (while the disk is full, once space
   * returns); rejects if a write failed otherwise, or the journal closed before it was written.
   */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    const index = this.lastIndex
    if (index <= this.durableIndex) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({index, resolve, reject}))
  }

  private scheduleFlush(): void {
    if (this.stall) return // the retry timer writes
    // setImmediate: every append of this turn of the event loop joins the same write.
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushLoop())
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const lines = this.pending
        const last = this.pendingLast
        this.pending = []
        try {
          await this.writeWhole(Buffer.from(lines.join('\n') + '\n'))
        } catch (error) {
          const full = asDiskFull(error, this.dir, 'journal write')
          if (!full) throw error
          this.pending = lines.concat(this.pending)
          return this.stalledBy(full)
        }
        this.durableIndex = last
        this.waiters = this.waiters.filter((w) => (w.index <= last ? (w.resolve(), false) : true))
        this.hooks.onDurable?.(last)
        if (this.stall) this.recovered()
      }
    } catch (error) {
      this.fail(new ProjectError(this.dir, `journal write failed: ${(error as Error).message}`))
    } finally {
      this.flushing = undefined
    }
  }

  /** Writes and flushes bytes, all or nothing: on any error the segment is cut back to its whole lines. */
  private async writeWhole(bytes: Buffer): Promise<void> {
    const fd = this.fd!
    try {
      // A write can be short when the disk fills part-way; the rest is then refused with ENOSPC.
      for (let done = 0; done < bytes.length; ) done += (await writeBytes(fd, bytes, done, bytes.length - done)).bytesWritten
      await dataSync(fd)
    } catch (error) {
      ftruncateSync(fd, this.size)
      throw error
    }
    this.size += bytes.length
  }

  private stalledBy(error: DiskFullError): void {
    const first = !this.stall
    this.stall = error
    if (first) this.hooks.onStall?.(error)
    if (this.closing) return
    this.retryTimer = setTimeout(() => (this.flushing ??= this.flushLoop()), this.retryMs)
    this.retryTimer.unref()
    this.retryMs = Math.min(2 * this.retryMs, RETRY_MAX_MS)
  }

  private recovered(): void {
    this.stall = undefined
    this.retryMs = RETRY_FIRST_MS
    this.hooks.onRecover?.()
  }

  private fail(error: Error): void {
    this.failure = error
    for (const w of this.waiters) w.reject(error)
    this.waiters = []
  }

  /** Waits for pending writes, then continues in a new segment; returns the index the new one starts at. */
  async rotate(): Promise<number> {
    await this.settle()
    // From here to the return nothing awaits, so no append can land in the old segment.
    const firstIndex = this.nextIndex
    const previous = this.fd!
    this.openSegment(join(this.dir, segmentName(firstIndex)))
    closeSync(previous)
    return firstIndex
  }

  /** Deletes the segments older than the one starting at firstIndex (a snapshot now holds them). */
  removeSegmentsBefore(firstIndex: number): void {
    for (const segment of listSegments(this.dir)) if (segment.firstIndex < firstIndex) unlinkSync(segment.file)
  }

  private openSegment(file: string): void {
    this.fd = openSync(file, 'a', 0o600)
    this.size = fstatSync(this.fd).size
  }

  /** Waits for the write in flight; throws while the disk is full (pending records are not on disk). */
  private async settle(): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.failure) throw this.failure
    if (this.stall) throw this.stall
  }

  /**
   * Writes what is pending (one last try when the disk is full), then closes. Returns how many
   * records could not be written: never acknowledged, so their agents send them again.
   */
  async close(): Promise<number> {
    this.closing = true
    clearTimeout(this.retryTimer)
    if (this.stall) this.flushing ??= this.flushLoop()
    while (this.flushing) await this.flushing
    const lost = this.stall ? this.pending.length : 0
    if (this.stall) this.fail(new ProjectError(this.dir, `closed with ${lost} journal records unwritten: ${this.stall.problem}`))
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    return lost
  }
}
