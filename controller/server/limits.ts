// What one agent connection may cost the controller: a hostile or broken client is refused or
// slowed by these, never allowed to make the server hold unbounded memory.

/** The hello is small; a larger first frame is refused before it is parsed. */
export const MAX_HELLO_BYTES = 8 * 1024
/** Events pipelined behind the hello wait while the project opens; more than this is refused. */
export const MAX_EARLY_FRAMES = 1000
/** Connections that have not passed the hello yet; more are turned away at the upgrade. */
export const MAX_UNAUTHENTICATED = 64
/**
 * Messages per second per connection (sustained), and the burst allowed on top. Well above the
 * 10,000 events/s an agent replaying its outbox may send: the limit is against floods, while
 * memory stays bounded by not reading the socket whatever the rate.
 */
export const MESSAGES_PER_SECOND = 50_000
export const MESSAGE_BURST = 10_000

/** Byte length of a frame as ws hands it over. */
export function frameBytes(frame: string | Buffer | ArrayBuffer | Buffer[]): number {
  if (typeof frame === 'string') return Buffer.byteLength(frame)
  if (Array.isArray(frame)) return frame.reduce((n, b) => n + b.length, 0)
  return frame.byteLength
}

/**
 * Token bucket per connection. take() consumes a token when there is one; otherwise it says how
 * long (ms) until the next is due, and the caller holds the message and stops reading the socket
 * meanwhile, so TCP backpressure slows the sender and nothing is dropped.
 */
export class RateLimit {
  private tokens: number
  private last: number

  constructor(
    private readonly perSecond = MESSAGES_PER_SECOND,
    private readonly burst = MESSAGE_BURST,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** 0 when a token was taken, else the wait (ms) before one is available. */
  take(): number {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000)
    this.last = t
    if (this.tokens >= 1) {
      this.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond))
  }
}
