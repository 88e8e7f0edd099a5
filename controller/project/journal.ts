// Append-only journal of applied changes, one JSON line each, in segments named by their first
// index. Appends are group-committed: all lines appended while one write+fdatasync runs go out in
// the next, so durable() resolves within one or two disk flushes however many events arrive.
import {closeSync, existsSync, fdatasync, ftruncateSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, write} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ProjectError} from './errors.js'
import type {JournalEntry, JournalRecord} from './records.js'

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

// Plain fds (not FileHandle) so that switching segments is synchronous: no append can slip in between.
const writeText = promisify(write) as (fd: number, text: string) => Promise<unknown>
const dataSync = promisify(fdatasync)

export class Journal {
  private fd: number | undefined
  private pending: string[] = []
  private pendingLast = 0
  private durableIndex: number
  private waiters: Waiter[] = []
  private flushing: Promise<void> | undefined
  private failure: Error | undefined

  private constructor(
    readonly dir: string,
    private nextIndex: number,
  ) {
    this.durableIndex = nextIndex - 1
  }

  /** Opens a journal for appending after lastIndex (what the snapshot + replay reached). */
  static async open(dir: string, lastIndex: number): Promise<Journal> {
    mkdirSync(dir, {recursive: true})
    const journal = new Journal(dir, lastIndex + 1)
    const segments = listSegments(dir)
    const file = segments.length > 0 ? segments[segments.length - 1].file : join(dir, segmentName(lastIndex + 1))
    journal.fd = openSync(file, 'a', 0o600)
    return journal
  }

  /** Index of the last appended record (durable or not). */
  get lastIndex(): number {
    return this.nextIndex - 1
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

  /** Resolves once every record appended so far is on disk; rejects if the disk write failed. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    const index = this.lastIndex
    if (index <= this.durableIndex) return Promise.resolve()
    return new Promise((resolve, reject) => this.waiters.push({index, resolve, reject}))
  }

  private scheduleFlush(): void {
    // setImmediate: every append of this turn of the event loop joins the same write.
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushLoop())
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const lines = this.pending
        const last = this.pendingLast
        this.pending = []
        const fd = this.fd!
        await writeText(fd, lines.join('\n') + '\n')
        await dataSync(fd)
        this.durableIndex = last
        this.waiters = this.waiters.filter((w) => (w.index <= last ? (w.resolve(), false) : true))
      }
    } catch (error) {
      this.fail(new ProjectError(this.dir, `journal write failed: ${(error as Error).message}`))
    } finally {
      this.flushing = undefined
    }
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
    this.fd = openSync(join(this.dir, segmentName(firstIndex)), 'a', 0o600)
    closeSync(previous)
    return firstIndex
  }

  /** Deletes the segments older than the one starting at firstIndex (a snapshot now holds them). */
  removeSegmentsBefore(firstIndex: number): void {
    for (const segment of listSegments(this.dir)) if (segment.firstIndex < firstIndex) unlinkSync(segment.file)
  }

  private async settle(): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.failure) throw this.failure
  }

  async close(): Promise<void> {
    await this.settle()
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}
