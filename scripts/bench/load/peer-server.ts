// The ingest peer: a plain ws server, no validation, database or monitors. It appends each event
// frame as received to one JSONL file and acknowledges cumulatively after an fdatasync, once per
// turn of the event loop — the least a server can do and still only ack what is on disk.
// Run as a process (`tsx peer-server.ts DIR`); prints {"port"} once listening.
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, fdatasync, openSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {WebSocketServer} from 'ws'
import {PROTOCOL_VERSION} from '../../../core/protocol/index.js'

function serve(dir: string): void {
  const fd = openSync(join(dir, 'events.jsonl'), 'a')
  const wss = new WebSocketServer({host: '127.0.0.1', port: 0})
  wss.on('connection', (ws) => {
    let last = 0
    let flushing = false
    let pending = false
    const flush = () => {
      flushing = true
      pending = false
      const upTo = last
      fdatasync(fd, (error) => {
        flushing = false
        if (error) throw error
        ws.send(JSON.stringify({type: 'ack', seq: upTo}))
        if (pending) flush()
      })
    }
    ws.on('message', (data) => {
      const text = data.toString()
      const m = JSON.parse(text) as {type: string; seq: number; project: string}
      if (m.type === 'hello') {
        const session = {state: 'running', acceptingMovies: true}
        const leases = {durationMs: 60_000, graceMs: 20_000}
        return ws.send(JSON.stringify({type: 'welcome', protocol: PROTOCOL_VERSION, project: m.project, lastSeq: 0, session, leases}))
      }
      if (m.type !== 'event') return
      writeSync(fd, text + '\n')
      last = m.seq
      if (flushing) pending = true
      else if (!pending) {
        pending = true
        setImmediate(flush)
      }
    })
  })
  wss.on('listening', () => process.stdout.write(JSON.stringify({port: (wss.address() as {port: number}).port}) + '\n'))
  process.once('SIGTERM', () => wss.close(() => (closeSync(fd), process.exit(0))))
}

export interface PeerServer {
  child: ChildProcess
  port: number
  stop(): Promise<void>
}

/** Starts the peer in its own process, as the controller runs in its own. */
export async function startPeerServer(dir: string): Promise<PeerServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), dir], {stdio: ['ignore', 'pipe', 'inherit']})
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) resolve((JSON.parse(out) as {port: number}).port)
    })
    child.once('exit', (code) => reject(new Error(`peer server exited ${code}`)))
  })
  const stop = async () => {
    child.kill('SIGTERM')
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)))
  }
  return {child, port, stop}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(process.argv[2])
