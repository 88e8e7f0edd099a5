// Ingest under load (`npm run bench -- load-ingest`): LOAD_AGENTS simulated agents (default 10),
// each the real agent link and outbox sending LOAD_RATE realistic events/s (default 1,000:
// movies found, steps started and finished with their results, system samples) for LOAD_SECONDS
// (default 30) into one real `controller serve` process, all on one project, each with its own
// movies (LOAD_PROJECTS=N spreads them over N projects). LOAD_SHARED=1: they share the session
// by leases instead, as `agent start --shared --slots LOAD_SLOTS` (default 16) does: movies
// appear on a share as fast as the agents could send their events, every agent offers each one,
// and only the agent it is leased to sends its events (this measures the lease path; an agent's
// rate is bounded by its slots per lease round trip, printed as the slots bound). Measured: events acknowledged per second,
// ack latency (append to the ack covering it) p50/p99, the controller's CPU and RSS from /proc,
// and every event checked in the project afterwards. The peer, same agents and rate in the same
// run: a plain ws server appending the frames to JSONL with an fdatasync before each ack.
// Everything shares this machine (agents, controller): figures on a loaded host are pessimistic.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {drive, type DriveResult} from './load/drive.js'
import {loadAverage, mib} from './load/proc-stats.js'
import {readProjectRows} from './load/project-rows.js'
import {EVENTS_PER_MOVIE} from './load/synthetic-events.js'
import {startPeerServer} from './load/peer-server.js'
import {loadWorkflowSettings, startLoadSession} from './load/session.js'

const AGENTS = Number(process.env.LOAD_AGENTS ?? 10)
const RATE = Number(process.env.LOAD_RATE ?? 1000)
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30)
const PROJECTS = Math.max(1, Math.min(AGENTS, Number(process.env.LOAD_PROJECTS ?? 1)))
const SHARED = process.env.LOAD_SHARED === '1'
const SLOTS = Number(process.env.LOAD_SLOTS ?? 16)
if (SHARED && PROJECTS > 1) throw new Error('LOAD_SHARED=1 takes one project (a shared session is one project)')

function describe(label: string, r: DriveResult): string {
  const windowRate = r.ackedInWindow / r.windowSeconds
  return [
    `  ${label}`,
    `    sent ${r.total.events} events in ${r.windowSeconds.toFixed(1)} s (${(r.total.events / r.windowSeconds).toFixed(0)} events/s); acknowledged in the window ${r.ackedInWindow} ` +
      `= ${windowRate.toFixed(0)} events/s (target ${AGENTS * RATE}: ${windowRate >= 0.98 * AGENTS * RATE ? 'met' : 'NOT met'}); the rest acknowledged ${r.drainSeconds.toFixed(2)} s after`,
    `    ack latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms`,
    `    receiving process: CPU ${r.cpuPercent.toFixed(0)} % of one core (${r.cpuUsPerEvent.toFixed(1)} us/event, i.e. ${((r.cpuUsPerEvent * AGENTS * RATE) / 1e4).toFixed(0)} % of a core ` +
      `for the target rate on a machine to itself), RSS ${mib(r.rssBytes)} at the end, peak ${mib(r.peakRssBytes)}`,
  ].join('\n')
}

async function controllerRun(): Promise<{result: DriveResult; lost: string[]}> {
  const session = await startLoadSession('emstream-load-ingest-')
  try {
    // The live report is measured in load-24h; here it would only add build processes competing for the cores.
    const settings = [...loadWorkflowSettings('/data/load'), 'report.enabled=false']
    const names = Array.from({length: PROJECTS}, (_, i) => (PROJECTS === 1 ? 'load' : `load-${i + 1}`))
    const tokens = await Promise.all(names.map((n) => session.addProject(n, settings)))
    const result = await drive({
      url: session.url,
      joinFor: (i) => ({project: names[i % PROJECTS], token: tokens[i % PROJECTS]}),
      agents: AGENTS,
      rate: RATE,
      seconds: SECONDS,
      pid: session.controller.child.pid!,
      ...(SHARED ? {shared: {slots: SLOTS}} : {}),
    })
    await session.stopController()
    const lost: string[] = []
    for (const name of names) {
      const rows = await readProjectRows(session.projects, name)
      const sent = result.perAgent.filter((a) => a.project === name)
      const sum = (k: 'movies' | 'stepsFinished' | 'samples') => sent.reduce((n, a) => n + a.sent[k], 0)
      const expect = (what: string, have: number, want: number) => have !== want && lost.push(`${name}: ${what} ${have}, sent ${want}`)
      expect('movie rows', rows.movies, sum('movies'))
      expect('distinct movies', rows.distinctMovies, sum('movies'))
      expect('finished step runs', rows.stepsDone, sum('stepsFinished'))
      expect('system samples', rows.systemSamples, sum('samples'))
      for (const a of sent) expect(`${a.agentId} applied seq`, rows.lastSeq.get(a.agentId) ?? 0, a.sent.events)
      if (result.leases?.twice) lost.push(`${result.leases.twice} movies leased to two agents`)
      console.log(`  project ${name}: ${rows.movies} movies (${rows.distinctMovies} distinct), ${rows.stepsDone} finished step runs, ${rows.systemSamples} system samples, ` +
        `${rows.lastSeq.size} agents' seqs; sent ${sum('movies')} / ${sum('stepsFinished')} / ${sum('samples')}`)
    }
    return {result, lost}
  } finally {
    await session.dispose()
  }
}

async function peerRun(): Promise<DriveResult> {
  const dir = mkdtempSync(join(tmpdir(), 'emstream-load-peer-'))
  const peer = await startPeerServer(dir)
  try {
    const result = await drive({url: `ws://127.0.0.1:${peer.port}/agent`, joinFor: () => ({project: 'peer', token: 'none'}), agents: AGENTS, rate: RATE, seconds: SECONDS, pid: peer.child.pid!})
    await peer.stop()
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').length - 1
    if (lines !== result.total.events) throw new Error(`peer wrote ${lines} events of ${result.total.events}`)
    return result
  } finally {
    await peer.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}

const mode = SHARED ? `sharing one project by leases (${SLOTS} slots each)` : `independent, on ${PROJECTS} project(s)`
console.log(`load-ingest: ${AGENTS} agents x ${RATE} events/s for ${SECONDS} s, loopback ws, ${mode}; load average before: ${loadAverage()}`)
const {result, lost} = await controllerRun()
console.log(describe('controller (`controller serve`: validation, sql.js, journal fdatasync before ack, monitors on)', result))
console.log(lost.length === 0 ? `  nothing lost: every event sent is in the project once` : `  LOST: ${lost.join('; ')}`)
if (result.leases) {
  console.log(`  leases: ${result.leases.appeared} movies appeared on the share, ${result.leases.leased} leased (each offered by all ${AGENTS} agents), ${result.leases.twice} leased twice`)
  // An agent holds at most SLOTS movies, each until the controller has its last result: its rate is bounded by SLOTS movies per round trip.
  const perAgent = (SLOTS * EVENTS_PER_MOVIE) / (result.p50 / 1000)
  console.log(`  slots bound: ${SLOTS} slots x ${EVENTS_PER_MOVIE} events per movie per lease round trip; at the ack p50 of ${result.p50.toFixed(0)} ms at most ~${perAgent.toFixed(0)} events/s per agent (${(perAgent * AGENTS).toFixed(0)} for ${AGENTS})`)
}
if (result.problems.length) console.log(`  agent link warnings: ${result.problems.slice(0, 5).join(' | ')}`)
const peer = await peerRun()
console.log(describe('peer (plain ws server: JSONL append + fdatasync before ack, no validation, database or leases; independent agents)', peer))
console.log(
  `  ratio controller / peer: acknowledged rate ${(result.ackedInWindow / result.windowSeconds / (peer.ackedInWindow / peer.windowSeconds)).toFixed(2)}, ` +
    `ack p50 x${(result.p50 / peer.p50).toFixed(1)}, p99 x${(result.p99 / peer.p99).toFixed(1)}, CPU per event x${(result.cpuUsPerEvent / peer.cpuUsPerEvent).toFixed(1)}`,
)
console.log(`  load average after: ${loadAverage()} (2 shared cores: agents, controller and other work compete)`)
if (lost.length) process.exit(1)
