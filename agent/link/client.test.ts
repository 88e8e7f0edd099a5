import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {WebSocketServer, type WebSocket} from 'ws'
import {PROTOCOL_VERSION, decodeAgentMessage, encodeMessage, type AgentEvent, type EventMessage} from '../../core/protocol/index.js'
import {ControllerLink} from './client.js'
import {Outbox} from './outbox.js'

/** A minimal controller peer: welcomes, records events, acks cumulatively, de-duplicates by seq. */
function startPeer() {
  const server = new WebSocketServer({port: 0, host: '127.0.0.1'})
  const applied: EventMessage[] = []
  const refused: string[] = []
  const sockets: WebSocket[] = []
  let onApplied: (() => void) | undefined
  server.on('connection', (socket) => {
    sockets.push(socket)
    socket.on('message', (data) => {
      const decoded = decodeAgentMessage(data as Buffer)
      if (!decoded.ok) return void refused.push(decoded.reason)
      const m = decoded.message
      if (m.type === 'hello') {
        const lastSeq = applied.length ? applied[applied.length - 1].seq : 0
        socket.send(encodeMessage({type: 'welcome', protocol: PROTOCOL_VERSION, project: 'p', lastSeq, session: {state: 'running', acceptingMovies: true}, leases: {durationMs: 60_000, graceMs: 20_000}}))
      } else if (m.type === 'event' && m.seq === (applied.at(-1)?.seq ?? 0) + 1) {
        applied.push(m)
        socket.send(encodeMessage({type: 'ack', seq: m.seq}))
        onApplied?.()
      }
    })
  })
  const port = () => (server.address() as {port: number}).port
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => applied.length >= n && resolve()
      onApplied = check
      check()
    })
  const dropAll = () => sockets.splice(0).forEach((s) => s.terminate())
  return {server, applied, refused, port, until, dropAll}
}

function sample(n: number): AgentEvent {
  return {
    kind: 'systemSample',
    host: `h${n}`,
    cpuPercent: n,
    loadAverage: [0, 0, 0],
    memoryUsedBytes: 0,
    memoryTotalBytes: 1,
    swapUsedBytes: 0,
    disks: [],
    gpus: [],
    pipeline: {queued: 0, running: 0},
  }
}

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('ControllerLink', () => {
  it('delivers every event exactly once and in order across a dropped connection', async () => {
    const peer = startPeer()
    await new Promise((r) => peer.server.once('listening', r))
    const outbox = new Outbox<AgentEvent>(mkdtempSync(join(tmpdir(), 'link-')))
    const link = new ControllerLink({
      url: `ws://127.0.0.1:${peer.port()}`,
      token: 't',
      project: 'p',
      agentId: 'agent-1',
      host: 'h',
      software: 'test',
      outbox,
      log: () => {},
      onWorkflow: () => {},
      onSession: () => {},
      backoff: {initialMs: 20, maxMs: 100},
    })
    cleanups.push(() => link.close(), () => peer.server.close())
    for (let n = 1; n <= 3; n++) outbox.append(sample(n))
    link.start()
    await peer.until(3)
    peer.dropAll()
    for (let n = 4; n <= 6; n++) outbox.append(sample(n))
    await peer.until(6)
    expect(peer.applied.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(peer.applied.map((m) => (m.event as {host: string}).host)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'])
    expect(peer.refused).toEqual([])
    await new Promise<void>((resolve) => {
      const check = () => (outbox.pending().length === 0 ? resolve() : setTimeout(check, 10))
      check()
    })
  })
})
