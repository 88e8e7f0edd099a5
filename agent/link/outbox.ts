// Durable outbox of events awaiting the controller's acknowledgement. Each event gets the
// next per-agent sequence number and is fsync'd before anyone may send it; it is dropped only
// after its ack, so after any crash or disconnect the unacknowledged rest is replayed in order.
import {closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'

export interface OutboxEntry<E> {
  seq: number
  /** When the agent recorded the event (ms since epoch). */
  at: number
  event: E
}

export class OutboxError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`outbox ${file}: ${problem}`)
    this.name = 'OutboxError'
  }
}

export class Outbox<E> {
  private readonly file: string
  private readonly ackFile: string
  private readonly entries: OutboxEntry<E>[] = []
  /** Everything at or below this seq has been acknowledged. */
  private ackedThrough = 0
  private last = 0
  private droppedLines = 0
  private fd: number
  private readonly listeners: ((entry: OutboxEntry<E>) => void)[] = []

  constructor(dir: string) {
    mkdirSync(dir, {recursive: true})
    this.file = join(dir, 'outbox.jsonl')
    this.ackFile = join(dir, 'acked.json')
    this.load()
    this.fd = openSync(this.file, 'a')
  }

  /** Seq of the newest event ever appended (0 = none). */
  get lastSeq(): number {
    return this.last
  }

  /** Seq the next appended event will get. */
  nextSeq(): number {
    return this.last + 1
  }

  /** Appends durably; `seq` must be nextSeq() (it may have been stamped on a state record first). */
  append(event: E, seq = this.nextSeq(), at = Date.now()): OutboxEntry<E> {
    if (seq !== this.last + 1) throw new OutboxError(this.file, `seq ${seq} out of order (last ${this.last})`)
    const entry = {seq, at, event}
    writeSync(this.fd, JSON.stringify(entry) + '\n')
    fsyncSync(this.fd)
    this.last = seq
    this.entries.push(entry)
    for (const listener of this.listeners) listener(entry)
    return entry
  }

  onAppend(listener: (entry: OutboxEntry<E>) => void): void {
    this.listeners.push(listener)
  }

  /** Unacknowledged events, oldest first. */
  pending(): readonly OutboxEntry<E>[] {
    return this.entries
  }

  /** Drops every event with seq <= `seq` (the controller's acks are cumulative). Stale acks are ignored. */
  ackThrough(seq: number): void {
    const through = Math.min(seq, this.last)
    if (through <= this.ackedThrough) return
    this.ackedThrough = through
    let drop = 0
    while (drop < this.entries.length && this.entries[drop].seq <= through) drop++
    this.entries.splice(0, drop)
    this.droppedLines += drop
    // Rename keeps the file whole across a crash; losing the newest acks only causes a replay
    // (the controller de-duplicates), so no fsync per ack.
    writeFileSync(`${this.ackFile}.tmp`, JSON.stringify({ackedThrough: this.ackedThrough, last: this.last}))
    renameSync(`${this.ackFile}.tmp`, this.ackFile)
    if (this.droppedLines > 256 && this.droppedLines > this.entries.length) this.compact()
  }

  /**
   * The controller has applied seqs beyond ours: this agent's state folder was reset. Continue
   * after them (without a gap), since reusing them would have the new events dropped as duplicates.
   */
  advanceTo(seq: number): void {
    if (seq <= this.last) return
    if (this.entries.length > 0) throw new OutboxError(this.file, `cannot skip to seq ${seq} with ${this.entries.length} events pending`)
    this.last = seq
    this.ackedThrough = seq
    writeDurably(`${this.ackFile}.tmp`, JSON.stringify({ackedThrough: this.ackedThrough, last: this.last}))
    renameSync(`${this.ackFile}.tmp`, this.ackFile)
  }

  close(): void {
    closeSync(this.fd)
  }

  private load(): void {
    if (existsSync(this.ackFile)) {
      let acked: {ackedThrough: number; last: number}
      try {
        acked = JSON.parse(readFileSync(this.ackFile, 'utf8')) as typeof acked
      } catch {
        // Guessing here could reuse seqs the controller already applied (and would then drop).
        throw new OutboxError(this.ackFile, 'unreadable; restore it or remove the agent state folder to start afresh')
      }
      this.ackedThrough = acked.ackedThrough
      this.last = acked.last
    }
    if (!existsSync(this.file)) return
    const text = readFileSync(this.file)
    const end = text.lastIndexOf(0x0a) + 1
    if (end < text.length) truncateSync(this.file, end)
    text
      .subarray(0, end)
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line === '') return
        let entry: OutboxEntry<E>
        try {
          entry = JSON.parse(line) as OutboxEntry<E>
        } catch {
          throw new OutboxError(this.file, `line ${i + 1} is not JSON`)
        }
        this.last = Math.max(this.last, entry.seq)
        if (entry.seq > this.ackedThrough) this.entries.push(entry)
        else this.droppedLines++
      })
  }

  /** Rewrites the file with the pending events; the ack file is made durable first so seqs never go back. */
  private compact(): void {
    const ackTmp = `${this.ackFile}.tmp`
    writeDurably(ackTmp, JSON.stringify({ackedThrough: this.ackedThrough, last: this.last}))
    renameSync(ackTmp, this.ackFile)
    const tmp = `${this.file}.tmp`
    writeDurably(tmp, this.entries.map((e) => JSON.stringify(e) + '\n').join(''))
    renameSync(tmp, this.file)
    closeSync(this.fd)
    this.fd = openSync(this.file, 'a')
    this.droppedLines = 0
  }
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w')
  writeSync(fd, text)
  fsyncSync(fd)
  closeSync(fd)
}
