// Controller ingest and memory (`npm run bench controller`).
// 1. Events/s from one agent over loopback WebSocket with the journal on (acks after fdatasync),
//    against a peer in the same run: a bare ws server that only JSON.parses and acks (no
//    validation, database or journal) — the ratio is what exactly-once durability costs.
// 2. Memory with 100,000 micrographs (motion + CTF + picking results each) in the project.
// The agent runs in a child process so that it does not share the controller's event loop.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import WebSocket, {WebSocketServer} from 'ws'
import {encodeMessage, PROTOCOL_VERSION, type AgentEvent} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from '../../controller/project/create.js'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'
import {startServer} from '../../controller/server/server.js'

const INGEST_EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000)
const MEMORY_MICROGRAPHS = 100_000
const WINDOW = 20_000 // unacknowledged events the agent keeps in flight, as an outbox replay would

const workflow = minimalWorkflow()

function movieEvents(count: number): AgentEvent[] {
  const events: AgentEvent[] = []
  for (let i = 0; events.length < count; i++) events.push(...sampleMovieEvents(`Grid${i % 50}/FoilHole_${i}_Data_1.tiff`, 1.75e12 + i * 5000))
  return events.slice(0, count)
}

// ---- agent side (child process): `tsx controller.bench.ts agent PORT TOKEN COUNT` ----
async function agent(port: number, token: string, count: number, bare: boolean): Promise<void> {
  const frames = asEventMessages('bench-agent', movieEvents(count)).map(encodeMessage)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent`)
  await new Promise((resolve) => ws.once('open', resolve))
  let sent = 0
  let acked = 0
  let started = 0
  const pump = () => {
    while (sent < frames.length && sent - acked < WINDOW) ws.send(frames[sent++])
  }
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString())
      if (m.type === 'welcome') {
        started = performance.now()
        return pump()
      }
      if (m.type !== 'ack') return reject(new Error(data.toString()))
      acked = m.seq
      if (acked === frames.length) resolve()
      else pump()
    })
    ws.send(encodeMessage({type: 'hello', protocol: PROTOCOL_VERSION, agentId: 'bench-agent', project: 'bench', token, host: 'bench', software: 'bench'}))
    if (bare) ws.once('message', () => {}) // the bare peer answers hello with a welcome too
  })
  process.stdout.write(JSON.stringify({seconds: (performance.now() - started) / 1000}) + '\n')
  ws.close()
}

function runAgent(port: number, token: string, count: number, bare: boolean): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'agent', String(port), token, String(count), bare ? 'bare' : 'real'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out).seconds) : reject(new Error(`agent exited ${code}`)))),
  )
}

/** The peer: ws on loopback, JSON.parse per message, one cumulative ack per turn of the event loop. */
async function bareServer(): Promise<{port: number; close: () => void}> {
  const wss = new WebSocketServer({host: '127.0.0.1', port: 0})
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (ws) => {
    let last = 0
    let scheduled = false
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString())
      if (m.type === 'hello') return ws.send(JSON.stringify({type: 'welcome'}))
      last = m.seq
      if (!scheduled) {
        scheduled = true
        setImmediate(() => ((scheduled = false), ws.send(JSON.stringify({type: 'ack', seq: last}))))
      }
    })
  })
  return {port: (wss.address() as {port: number}).port, close: () => wss.close()}
}

async function ingestBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-controller-'))
  try {
    const {token} = await createProject({projectsDir: dir, name: 'bench', workflow})
    const server = await startServer({projectsDir: dir, port: 0, log: () => {}})
    let cpu = process.cpuUsage()
    const seconds = await runAgent(server.port, token, INGEST_EVENTS, false)
    const serverCpu = process.cpuUsage(cpu)
    await server.close()
    const peer = await bareServer()
    cpu = process.cpuUsage()
    const peerSeconds = await runAgent(peer.port, 'none', INGEST_EVENTS, true)
    const peerCpu = process.cpuUsage(cpu)
    peer.close()
    const rate = INGEST_EVENTS / seconds
    const peerRate = INGEST_EVENTS / peerSeconds
    // CPU time per event of the receiving process: less sensitive to other load on the machine than wall time.
    const perEvent = (u: NodeJS.CpuUsage) => (u.user + u.system) / INGEST_EVENTS
    console.log(`ingest: ${INGEST_EVENTS} events from one agent, loopback ws, journal on (fdatasync before ack)`)
    console.log(`  controller   ${rate.toFixed(0).padStart(8)} events/s  (target >= 10000: ${rate >= 10_000 ? 'met' : 'NOT met'}); ${perEvent(serverCpu).toFixed(1)} us CPU/event`)
    console.log(`  bare ws peer ${peerRate.toFixed(0).padStart(8)} events/s  (parse + ack only); ${perEvent(peerCpu).toFixed(1)} us CPU/event`)
    console.log(`  ratio controller / peer: ${(rate / peerRate).toFixed(2)} (events/s), ${(perEvent(serverCpu) / perEvent(peerCpu)).toFixed(2)} (CPU per event)`)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

async function memoryBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-controller-'))
  try {
    await createProject({projectsDir: dir, name: 'bench', workflow})
    const layout = projectLayout(dir, 'bench')
    let project = await Project.open(layout)
    project.schedule()
    gc()
    const baseline = process.memoryUsage().rss
    const perMovie = sampleMovieEvents('x.tiff').length
    const started = performance.now()
    let seq = 1
    for (let i = 0; i < MEMORY_MICROGRAPHS; i++) {
      for (const event of sampleMovieEvents(`Grid${i % 50}/FoilHole_${i}_Data_1.tiff`, 1.75e12 + i * 5000)) {
        project.ingest({type: 'event', agentId: 'bench-agent', seq: seq++, at: 1.75e12, event})
      }
      if (i % 1000 === 999) {
        await project.durable()
        await project.tick()
      }
    }
    await project.durable()
    const ingestSeconds = (performance.now() - started) / 1000
    gc()
    const loaded = process.memoryUsage()
    const status = project.status()
    if (status.movies.processed !== MEMORY_MICROGRAPHS) throw new Error(`expected ${MEMORY_MICROGRAPHS} processed, got ${status.movies.processed}`)
    const snapStart = performance.now()
    await project.snapshot()
    const snapshotSeconds = (performance.now() - snapStart) / 1000
    const peakAfterSnapshot = process.memoryUsage().rss
    await project.close()
    const reopenStart = performance.now()
    project = await Project.open(layout, {readOnly: true})
    const reopenSeconds = (performance.now() - reopenStart) / 1000
    await project.close()
    console.log(`memory: ${MEMORY_MICROGRAPHS} micrographs (${perMovie} events each: found, motion, ctf, picking), applied with the journal on`)
    console.log(`  rss ${mib(loaded.rss)} (target <= 500 MiB: ${loaded.rss <= 500 * 2 ** 20 ? 'met' : 'NOT met'}); empty project ${mib(baseline)}; heap ${mib(loaded.heapUsed)} used of ${mib(loaded.heapTotal)}; array buffers (sql.js) ${mib(loaded.arrayBuffers)}`)
    console.log(`  rss right after a snapshot (export copy) ${mib(peakAfterSnapshot)}`)
    console.log(`  ${((loaded.rss - baseline) / MEMORY_MICROGRAPHS / 1024).toFixed(2)} KiB per micrograph above the empty project`)
    console.log(`  direct apply (no ws) ${((MEMORY_MICROGRAPHS * perMovie) / ingestSeconds).toFixed(0)} events/s; snapshot ${snapshotSeconds.toFixed(2)} s; reopen ${reopenSeconds.toFixed(2)} s`)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[2] === 'agent') {
  await agent(Number(process.argv[3]), process.argv[4], Number(process.argv[5]), process.argv[6] === 'bare')
} else {
  // Optional argument: `ingest` or `memory` runs only that part.
  const only = process.argv[2]
  console.log('(figures on a shared 2-core machine are pessimistic)')
  if (only !== 'memory') await ingestBench()
  if (only !== 'ingest') await memoryBench()
}
