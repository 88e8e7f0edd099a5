// One simulated agent: the real ControllerLink (agent/link/client.ts) over the real outbox, fed
// with prepared events instead of a pipeline, so the controller sees exactly what an agent sends
// (hello with token, validated events in seq order, replay after reconnects).
import {existsSync, mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ControllerLink} from '../../../agent/link/client.js'
import type {AgentEvent, HeartbeatMessage, LeaseMessage, LeaseTiming, OfferMessage} from '../../../core/protocol/index.js'
import {TimedOutbox} from './timed-outbox.js'

export interface LoadAgentOptions {
  url: string
  project: string
  token: string
  agentId: string
  /** Outbox folder parent (the agent's state). */
  stateRoot: string
  /** Most events this agent will send. */
  capacity: number
  /** Shared agents (leases): after each welcome, and each lease notice. */
  onConnected?: (leases: LeaseTiming) => void
  onLease?: (lease: LeaseMessage) => void
}

export class LoadAgent {
  readonly outbox: TimedOutbox
  readonly connected: Promise<void>
  private readonly link: ControllerLink
  private readonly waiters: {seq: number; resolve: () => void}[] = []
  /** Refusals and link warnings, for the report of a failed run. */
  readonly problems: string[] = []

  constructor(readonly options: LoadAgentOptions) {
    const dir = join(options.stateRoot, options.agentId)
    mkdirSync(dir, {recursive: true})
    this.outbox = new TimedOutbox(dir, options.capacity)
    let connected!: () => void
    this.connected = new Promise((resolve) => (connected = resolve))
    this.link = new ControllerLink({
      url: options.url,
      token: options.token,
      project: options.project,
      agentId: options.agentId,
      host: `load-${options.agentId}`,
      software: 'emstream-load-bench',
      outbox: this.outbox,
      log: (level, line) => {
        if (level !== 'info' && this.problems.length < 20) this.problems.push(line)
      },
      onWorkflow: () => {},
      onSession: () => connected(), // sent with every welcome
      onConnected: options.onConnected,
      onLease: options.onLease,
      backoff: {initialMs: 100, maxMs: 1000},
    })
    this.outbox.onAck((through) => {
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i].seq <= through) this.waiters.splice(i, 1)[0].resolve()
      }
    })
    this.link.start()
  }

  append(event: AgentEvent, at?: number): number {
    return this.outbox.append(event, this.outbox.nextSeq(), at).seq
  }

  /** Offers and heartbeats (outside the outbox); false when not connected. */
  sendControl(message: OfferMessage | HeartbeatMessage): boolean {
    return this.link.sendControl(message)
  }

  get appended(): number {
    return this.outbox.lastSeq
  }

  /** Resolves once the controller has acknowledged every event appended so far. */
  allAcked(): Promise<void> {
    const seq = this.outbox.lastSeq
    if (this.outbox.ackedSeq >= seq) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({seq, resolve}))
  }

  close(): void {
    this.link.close()
    this.outbox.close()
  }
}

/** Rejects after ms naming what was awaited, unless promise settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A folder for simulated agents' outboxes, on tmpfs: at a facility each agent has its own disk, here they would share the controller's. */
export function outboxRoot(): string {
  return mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'emstream-load-outbox-'))
}
