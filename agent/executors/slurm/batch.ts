// Groups items into batches of up to `size`: a full batch goes at once, a partial one once its
// oldest item has waited `waitMs` (or at once when it holds an urgent item), and only while
// `capacity()` allows another batch. The owner calls drain() when capacity frees up.

export interface BatcherOptions<T> {
  size: number
  waitMs: number
  /** Whether another batch may go now (e.g. fewer than maxJobs jobs are queued). */
  capacity: () => boolean
  flush: (items: T[]) => void
}

interface Entry<T> {
  item: T
  at: number
  urgent: boolean
}

export class Batcher<T> {
  private readonly entries: Entry<T>[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: BatcherOptions<T>) {}

  get pending(): number {
    return this.entries.length
  }

  /** Queues items; urgent ones (resubmissions) do not wait for their batch to fill, but go together. */
  add(items: T[], urgent = false): void {
    const at = Date.now()
    for (const item of items) this.entries.push({item, at, urgent})
    this.drain()
  }

  /** Takes an item back out (cancelled before it was sent); false when it had gone already. */
  remove(item: T): boolean {
    const index = this.entries.findIndex((e) => e.item === item)
    if (index < 0) return false
    this.entries.splice(index, 1)
    return true
  }

  /** Sends every batch that is due while capacity allows; arms the timer for one that is not due yet. */
  drain(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    while (this.entries.length > 0 && this.due() && this.options.capacity()) {
      this.options.flush(this.entries.splice(0, this.options.size).map((e) => e.item))
    }
    // A due batch waiting for capacity is sent by the owner's next drain(), not by a timer.
    if (this.entries.length > 0 && !this.due()) {
      this.timer = setTimeout(() => this.drain(), this.entries[0].at + this.options.waitMs - Date.now())
    }
  }

  close(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.entries.splice(0)
  }

  private due(): boolean {
    const next = this.entries.slice(0, this.options.size)
    return next.length >= this.options.size || next.some((e) => e.urgent) || Date.now() - this.entries[0].at >= this.options.waitMs
  }
}
