// The agent's side of the WebSocket: hello -> welcome, then the outbox streams in seq order
// and cumulative acks drop what the controller made durable. On any disconnect it reconnects
// with capped exponential backoff and replays every unacknowledged event; processing never
// waits for the link.
import {
  PROTOCOL_VERSION,
  decodeControllerMessage,
  encodeMessage,
  type AgentEvent,
  type ControllerMessage,
  type HeartbeatMessage,
  type LeaseMessage,
  type LeaseTiming,
  type OfferMessage,
  type RerunMessage,
  type SessionInfo,
  type EventMessage,
} from '../../core/protocol/index.js'
import type {Outbox, OutboxEntry} from './outbox.js'
import type WebSocket from 'ws'

export interface WorkflowDelivery {
  revision: number
  workflow: NonNullable<Extract<ControllerMessage, {type: 'welcome'}>['workflow']>['workflow']
}

export interface LinkOptions {
  url: string
  token: string
  /** Project to join (its name on the controller). */
  project: string
  agentId: string
  host: string
  software: string
  /** PEM CA certificate(s) a wss:// controller's certificate must chain to, instead of the system CAs. */
  ca?: string
  outbox: Outbox<AgentEvent>
  log: (level: 'info' | 'warn' | 'error', line: string, fields?: Record<string, unknown>) => void
  onWorkflow: (delivery: WorkflowDelivery) => void
  onSession: (session: SessionInfo) => void
  /** A rerun request (controller rerun); it may come again after each welcome. */
  onRerun?: (rerun: RerunMessage) => void
  /** After each welcome, with the controller's lease timing (shared agents offer and send heartbeats then). */
  onConnected?: (leases: LeaseTiming) => void
  /** Movies leased to this agent, or gone (shared agents). */
  onLease?: (lease: LeaseMessage) => void
  /** Reconnect delays (ms): first, and the cap. */
  backoff?: {initialMs: number; maxMs: number}
}

export class ControllerLink {
  private socket?: WebSocket
  private welcomed = false
  /** Highest seq written to the current connection. */
  private sentThrough = 0
  private delay: number
  private timer?: NodeJS.Timeout
  private closed = false

  constructor(private readonly options: LinkOptions) {
    this.delay = options.backoff?.initialMs ?? 200
    options.outbox.onAppend((entry) => {
      if (this.welcomed && entry.seq === this.sentThrough + 1) this.send(entry)
    })
  }

  get connected(): boolean {
    return this.welcomed
  }

  start(): void {
    void this.connect()
  }

  /** Sends a message outside the outbox (offers, heartbeats: they are re-sent after a reconnect anyway); false when not connected. */
  sendControl(message: OfferMessage | HeartbeatMessage): boolean {
    if (!this.welcomed || !this.socket) return false
    this.socket.send(encodeMessage(message))
    return true
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.socket?.close()
  }

  private async connect(): Promise<void> {
    if (this.closed) return
    const {default: WebSocketClass} = await import('ws')
    const socket = new WebSocketClass(this.options.url, {handshakeTimeout: 10_000, ...(this.options.ca ? {ca: this.options.ca} : {})})
    this.socket = socket
    socket.on('open', () => {
      socket.send(
        encodeMessage({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agentId: this.options.agentId,
          project: this.options.project,
          token: this.options.token,
          host: this.options.host,
          software: this.options.software,
        }),
      )
    })
    socket.on('message', (data) => this.receive(data as Buffer))
    socket.on('error', (error) => this.options.log('warn', `controller link: ${error.message}`, {url: this.options.url}))
    socket.on('close', () => {
      if (this.socket !== socket) return
      const wasWelcomed = this.welcomed
      this.welcomed = false
      this.socket = undefined
      if (wasWelcomed) this.options.log('warn', 'controller link closed; events wait in the outbox', {pending: this.options.outbox.pending().length})
      this.scheduleReconnect()
    })
  }

  private scheduleReconnect(): void {
    if (this.closed) return
    const max = this.options.backoff?.maxMs ?? 5000
    // Jitter spreads the reconnects of many agents after a controller restart.
    const wait = this.delay * (0.75 + Math.random() * 0.5)
    this.delay = Math.min(this.delay * 2, max)
    this.timer = setTimeout(() => void this.connect(), wait)
  }

  private receive(data: Buffer): void {
    const decoded = decodeControllerMessage(data)
    if (!decoded.ok) {
      this.options.log('warn', `refused a message from the controller: ${decoded.reason}`)
      return
    }
    const message = decoded.message
    switch (message.type) {
      case 'welcome':
        return this.welcome(message)
      case 'ack':
        this.options.outbox.ackThrough(message.seq)
        return
      case 'workflow':
        this.options.onWorkflow({revision: message.revision, workflow: message.workflow})
        return
      case 'session':
        this.options.onSession({state: message.state, acceptingMovies: message.acceptingMovies})
        return
      case 'rerun':
        this.options.onRerun?.(message)
        return
      case 'lease':
        this.options.onLease?.(message)
        return
      case 'error':
        return this.refused(message)
    }
  }

  private welcome(message: Extract<ControllerMessage, {type: 'welcome'}>): void {
    const {outbox, log} = this.options
    if (message.lastSeq > outbox.lastSeq) {
      log('warn', `controller has applied seq ${message.lastSeq} but this agent's outbox ends at ${outbox.lastSeq}: its state folder was reset; continuing after ${message.lastSeq}`)
      outbox.advanceTo(message.lastSeq)
    }
    outbox.ackThrough(message.lastSeq)
    this.delay = this.options.backoff?.initialMs ?? 200
    this.welcomed = true
    log('info', `connected to controller, project ${message.project}`, {lastSeq: message.lastSeq, pending: outbox.pending().length})
    this.options.onSession(message.session)
    if (message.workflow) this.options.onWorkflow(message.workflow)
    this.replayFrom(message.lastSeq + 1)
    this.options.onConnected?.(message.leases)
  }

  private refused(message: Extract<ControllerMessage, {type: 'error'}>): void {
    this.options.log(message.fatal ? 'error' : 'warn', `controller refused: ${message.code}: ${message.message}`, {seq: message.seq})
    if (message.code !== 'seq-gap' || message.expected === undefined || !this.welcomed) return
    const oldest = this.options.outbox.pending()[0]?.seq ?? this.options.outbox.nextSeq()
    // The controller wants events this agent already dropped after an ack: its journal lost them.
    if (message.expected < oldest) this.options.log('error', `controller expects seq ${message.expected} but the outbox starts at ${oldest}: events ${message.expected}..${oldest - 1} were acknowledged before and are gone here`)
    else this.replayFrom(message.expected)
  }

  private replayFrom(seq: number): void {
    this.sentThrough = seq - 1
    for (const entry of this.options.outbox.pending()) if (entry.seq >= seq) this.send(entry)
  }

  private send(entry: OutboxEntry<AgentEvent>): void {
    if (!this.socket || entry.seq !== this.sentThrough + 1) return
    const message: EventMessage = {type: 'event', agentId: this.options.agentId, seq: entry.seq, at: entry.at, event: entry.event}
    this.socket.send(encodeMessage(message))
    this.sentThrough = entry.seq
  }
}
