// For the server's tests: an agent as a bare socket, the controller's messages awaited in order.
import WebSocket from 'ws'
import {decodeControllerMessage, encodeMessage, type AgentMessage, type ControllerMessage} from '../../core/protocol/index.js'
import {AGENT_PATH, type ControllerServer} from './server.js'

/** A test agent: a socket and the controller's messages, awaited in order. */
export class TestAgent {
  private readonly inbox: ControllerMessage[] = []
  private waiting: (() => void) | undefined
  readonly closed: Promise<number>

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const decoded = decodeControllerMessage(data.toString())
      if (!decoded.ok) throw new Error(decoded.reason)
      this.inbox.push(decoded.message)
      this.waiting?.()
    })
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)))
  }

  static async connect(server: ControllerServer): Promise<TestAgent> {
    const ws = new WebSocket(`ws://${server.host}:${server.port}${AGENT_PATH}`)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    return new TestAgent(ws)
  }

  send(message: AgentMessage | string): void {
    this.ws.send(typeof message === 'string' ? message : encodeMessage(message))
  }

  async next(): Promise<ControllerMessage> {
    while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve))
    return this.inbox.shift()!
  }

  /** Waits for the ack that covers seq (acks are cumulative). */
  async ackedUpTo(seq: number): Promise<void> {
    for (;;) {
      const m = await this.next()
      if (m.type === 'ack' && m.seq >= seq) return
      if (m.type === 'error') throw new Error(`${m.code}: ${m.message}`)
    }
  }
}

