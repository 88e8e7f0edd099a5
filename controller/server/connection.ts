// One agent's WebSocket: hello + token first (compared in constant time), then events, each
// applied exactly once; acks are cumulative and sent only once the journal holds the events.
import type {WebSocket} from 'ws'
import {
  decodeAgentMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  type ControllerMessage,
  type ErrorCode,
  type EventMessage,
  type Frame,
  type Hello,
} from '../../core/protocol/index.js'
import {tokensEqual} from '../project/token.js'
import {rerunMessage} from '../rerun/message.js'
import {frameBytes, MAX_EARLY_FRAMES, MAX_HELLO_BYTES, RateLimit} from './limits.js'
import type {Log} from './log.js'
import type {OpenProject, ProjectRegistry} from './registry.js'

export const HELLO_TIMEOUT_MS = 10_000

export interface Joined {
  agentId: string
  entry: OpenProject
}

export class AgentConnection {
  private joined: Joined | undefined
  private helloPending = false
  /** Frames that arrived while the hello was being checked (an agent may pipeline its events). */
  private early: Frame[] = []
  /** Frames over the rate limit, in order, waiting for tokens while the socket is paused. */
  private held: Frame[] = []
  private ackScheduled = false
  /** Set once a fatal refusal was sent: nothing more from this socket is read. */
  private refusedFatally = false
  private readonly helloTimer: NodeJS.Timeout

  constructor(
    private readonly ws: WebSocket,
    private readonly peer: string,
    private readonly registry: ProjectRegistry,
    private readonly log: Log,
    /** Registers an authenticated connection (replacing an older one of the same agent). */
    private readonly onJoined: (connection: AgentConnection, joined: Joined) => void,
    /** A journal write failed: the process must stop without acknowledging anything more. */
    private readonly onFatal: (error: Error) => void,
    private readonly rate = new RateLimit(),
  ) {
    this.helloTimer = setTimeout(() => this.refuse('not-authenticated', 'no hello within 10 s', true), HELLO_TIMEOUT_MS)
    ws.on('message', (data, isBinary) => this.arrived(isBinary ? (data as Frame) : data.toString()))
    ws.on('close', () => clearTimeout(this.helloTimer))
    ws.on('error', (error) => this.log('warn', `${this.who}: socket error: ${error.message}`))
  }

  get who(): string {
    return this.joined ? `agent ${this.joined.agentId}@${this.peer} (${this.joined.entry.project.name})` : `connection ${this.peer}`
  }

  get authenticated(): boolean {
    return this.joined !== undefined
  }

  get project(): string | undefined {
    return this.joined?.entry.project.name
  }

  get agentId(): string | undefined {
    return this.joined?.agentId
  }

  /** The project this connection joined, once authenticated. */
  get joinedProject(): OpenProject['project'] | undefined {
    return this.joined?.entry.project
  }

  send(message: ControllerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(message))
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, reason)
  }

  /** Limits first: an oversized hello is refused unparsed; a sender over its rate is held, not dropped. */
  private arrived(frame: Frame): void {
    if (this.refusedFatally) return
    if (!this.joined && !this.helloPending && frameBytes(frame) > MAX_HELLO_BYTES) {
      return this.refuse('invalid-message', `the first message (hello) must be at most ${MAX_HELLO_BYTES} bytes`, true)
    }
    if (this.held.length > 0) return void this.held.push(frame)
    const wait = this.rate.take()
    if (wait > 0) {
      this.held.push(frame)
      return this.holdFor(wait)
    }
    this.receive(frame)
  }

  /** Stops reading the socket: what is held is at most what ws had already buffered. */
  private holdFor(ms: number): void {
    this.ws.pause()
    setTimeout(() => this.releaseHeld(), ms).unref()
  }

  private releaseHeld(): void {
    while (this.held.length > 0) {
      if (this.refusedFatally) return void (this.held = [])
      const wait = this.rate.take()
      if (wait > 0) return this.holdFor(wait)
      this.receive(this.held.shift()!)
    }
    this.ws.resume()
  }

  private receive(frame: Frame): void {
    if (this.helloPending && !this.joined) {
      if (this.early.length >= MAX_EARLY_FRAMES) return this.refuse('invalid-message', `more than ${MAX_EARLY_FRAMES} messages before the hello was checked`, true)
      return void this.early.push(frame)
    }
    try {
      const decoded = decodeAgentMessage(frame)
      if (!decoded.ok) return this.refuse('invalid-message', decoded.reason, !this.joined)
      const message = decoded.message
      if (message.type === 'hello') return void this.hello(message)
      if (!this.joined) return this.refuse('not-authenticated', 'the first message must be a hello', true)
      const {project} = this.joined.entry
      if (message.type === 'offer') return project.leases.offered(this.joined.agentId, message.movies)
      if (message.type === 'heartbeat') return project.leases.heartbeat(this.joined.agentId, message.slots)
      this.event(message, this.joined, typeof frame === 'string' ? frame : undefined)
    } catch (error) {
      // A bug handling one message must not take the server down.
      this.log('error', `${this.who}: ${(error as Error).stack ?? error}`)
      this.refuse('internal', 'the controller could not handle this message', false)
    }
  }

  private async hello(hello: Hello): Promise<void> {
    if (this.joined || this.helloPending) return this.refuse('invalid-message', 'hello was already received', false)
    if (hello.protocol !== PROTOCOL_VERSION) {
      return this.refuse('protocol-version', `this controller speaks protocol ${PROTOCOL_VERSION}, the agent ${hello.protocol}`, true)
    }
    this.helloPending = true
    const entry = await this.registry.get(hello.project).catch((error: Error) => {
      this.log('error', `cannot open project ${hello.project}: ${error.message}`)
      return undefined
    })
    clearTimeout(this.helloTimer)
    if (this.refusedFatally) return // refused while the project opened (too many early frames)
    // The same answer for an unknown project and a wrong token: neither is revealed.
    if (!entry || !tokensEqual(hello.token, entry.token)) {
      this.early = []
      return this.refuse('auth-failed', 'unknown project or wrong token', true)
    }
    const {project} = entry
    this.joined = {agentId: hello.agentId, entry}
    project.agentConnected(hello.agentId, hello.host, hello.software)
    this.onJoined(this, this.joined)
    project.leases.connected(hello.agentId)
    const session = project.sessionInfo()
    const deliver = session.state === 'scheduled' || session.state === 'running'
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      project: project.name,
      // Only what is on disk: the agent drops what the welcome reports, and a full disk may hold the rest.
      lastSeq: project.durableSeq(hello.agentId),
      session,
      leases: project.leases.timing,
      ...(deliver ? {workflow: project.workflow()} : {}),
    })
    // Reruns again after every welcome: the agent applies each once (it may have missed one while away).
    for (const rerun of project.reruns()) this.send(rerunMessage(rerun))
    this.log('info', `${this.who}: joined, last seq ${project.lastSeq(hello.agentId)}`)
    for (const frame of this.early.splice(0)) this.receive(frame)
  }

  private event(message: EventMessage, {agentId, entry}: Joined, frame: string | undefined): void {
    if (message.agentId !== agentId) {
      return this.refuse('agent-mismatch', `this connection is agent ${agentId}, the event says ${message.agentId}`, false, message.seq)
    }
    const outcome = entry.project.ingest(message, Date.now(), frame)
    if (outcome.status === 'gap') {
      this.send({type: 'error', code: 'seq-gap', message: `expected seq ${outcome.expected}`, fatal: false, seq: message.seq, expected: outcome.expected})
      return
    }
    this.scheduleAck(entry, agentId)
  }

  /** One ack per journal flush: cumulative, for what was applied before the flush began. */
  private scheduleAck(entry: OpenProject, agentId: string): void {
    if (this.ackScheduled) return
    this.ackScheduled = true
    const upTo = entry.project.lastSeq(agentId)
    entry.project.durable().then(
      () => {
        this.ackScheduled = false
        this.send({type: 'ack', seq: upTo})
        if (entry.project.lastSeq(agentId) > upTo) this.scheduleAck(entry, agentId)
      },
      (error: Error) => this.onFatal(error),
    )
  }

  private refuse(code: ErrorCode, reason: string, fatal: boolean, seq?: number): void {
    this.log('warn', `${this.who}: refused (${code}): ${reason}`)
    this.send({type: 'error', code, message: reason, fatal, ...(seq === undefined ? {} : {seq})})
    if (!fatal) return
    this.refusedFatally = true
    this.early = []
    this.close(1008, code)
  }
}
