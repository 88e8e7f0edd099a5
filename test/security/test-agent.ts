// A raw WebSocket client for the security and fuzz tests: sends anything, and records every
// controller message (decoded with the real decoder) and the close code.
import WebSocket from 'ws'
import {decodeControllerMessage, encodeMessage, type AgentMessage, type ControllerMessage} from '../../core/protocol/index.js'

export class RawAgent {
  readonly messages: ControllerMessage[] = []
  /** Frames from the controller the decoder refused (must stay empty). */
  readonly undecodable: string[] = []
  readonly closed: Promise<number>
  private waiting: (() => void) | undefined

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const decoded = decodeControllerMessage(data.toString())
      if (decoded.ok) this.messages.push(decoded.message)
      else this.undecodable.push(decoded.reason)
      this.waiting?.()
    })
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)))
    void this.closed.then(() => this.waiting?.())
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawAgent> {
    const ws = new WebSocket(url, options)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    return new RawAgent(ws)
  }

  send(message: AgentMessage | string | Buffer): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : encodeMessage(message))
  }

  /** Waits for a message matching `match` (or undefined if the socket closes first). */
  async waitFor(match: (m: ControllerMessage) => boolean): Promise<ControllerMessage | undefined> {
    let seen = 0
    for (;;) {
      for (; seen < this.messages.length; seen++) if (match(this.messages[seen])) return this.messages[seen]
      if (this.ws.readyState === WebSocket.CLOSED) return undefined
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
  }

  async ackedUpTo(seq: number): Promise<void> {
    const ack = await this.waitFor((m) => m.type === 'ack' && m.seq >= seq)
    if (!ack) throw new Error(`closed before seq ${seq} was acknowledged: ${JSON.stringify(this.messages.slice(-3))}`)
  }
}
