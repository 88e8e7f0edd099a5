// The agent's real outbox (agent/link/outbox.ts), timing each event from its append to the
// controller's ack that covers it: the ack latency an agent sees.
import type {AgentEvent} from '../../../core/protocol/index.js'
import {Outbox, type OutboxEntry} from '../../../agent/link/outbox.js'

export class TimedOutbox extends Outbox<AgentEvent> {
  private readonly appendedAt: Float64Array
  private readonly latencies: Float32Array
  private latencyCount = 0
  private timedThrough = 0
  private readonly ackListeners: ((through: number) => void)[] = []

  /** `capacity`: the most events this outbox will be given (their times are kept). */
  constructor(dir: string, capacity: number) {
    super(dir)
    this.appendedAt = new Float64Array(capacity + 1)
    this.latencies = new Float32Array(capacity)
  }

  override append(event: AgentEvent, seq = this.nextSeq(), at = Date.now()): OutboxEntry<AgentEvent> {
    this.appendedAt[seq] = performance.now()
    return super.append(event, seq, at)
  }

  override ackThrough(seq: number): void {
    super.ackThrough(seq)
    const through = Math.min(seq, this.lastSeq)
    if (through <= this.timedThrough) return
    const now = performance.now()
    for (let s = this.timedThrough + 1; s <= through; s++) this.latencies[this.latencyCount++] = now - this.appendedAt[s]
    this.timedThrough = through
    for (const listener of this.ackListeners) listener(through)
  }

  /** Highest seq acknowledged so far. */
  get ackedSeq(): number {
    return this.timedThrough
  }

  onAck(listener: (through: number) => void): void {
    this.ackListeners.push(listener)
  }

  offAck(listener: (through: number) => void): void {
    const i = this.ackListeners.indexOf(listener)
    if (i >= 0) this.ackListeners.splice(i, 1)
  }

  /** Append-to-ack times (ms) of every acknowledged event. */
  ackLatencies(): Float32Array {
    return this.latencies.subarray(0, this.latencyCount)
  }
}
