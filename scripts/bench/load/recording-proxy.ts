// A WebSocket relay between a real agent and the controller that keeps a copy of every event
// message the agent sends: what the agent really reported, to replay under other movie names.
import {WebSocket, WebSocketServer} from 'ws'
import {decodeAgentMessage, type EventMessage} from '../../../core/protocol/index.js'

export interface RecordingProxy {
  url: string
  /** Event messages received from agents, in arrival order (replays after reconnects included once). */
  events(): EventMessage[]
  close(): Promise<void>
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const recorded = new Map<string, EventMessage>()
  const wss = new WebSocketServer({host: '127.0.0.1', port: 0})
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (agent) => {
    const upstream = new WebSocket(target)
    const early: string[] = []
    upstream.on('open', () => early.splice(0).forEach((f) => upstream.send(f)))
    upstream.on('message', (data) => agent.send(data.toString()))
    upstream.on('close', () => agent.close())
    upstream.on('error', () => agent.terminate())
    agent.on('message', (data) => {
      const frame = data.toString()
      const decoded = decodeAgentMessage(frame)
      if (decoded.ok && decoded.message.type === 'event') recorded.set(`${decoded.message.agentId}#${decoded.message.seq}`, decoded.message)
      if (upstream.readyState === WebSocket.OPEN) upstream.send(frame)
      else early.push(frame)
    })
    agent.on('close', () => upstream.close())
  })
  const port = (wss.address() as {port: number}).port
  return {
    url: `ws://127.0.0.1:${port}/agent`,
    events: () => [...recorded.values()],
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  }
}
