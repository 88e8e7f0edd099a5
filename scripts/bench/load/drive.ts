// Drives simulated agents at a fixed rate for a fixed time and measures what the receiving
// process did meanwhile: events acknowledged, ack latency, its CPU and memory.
import {rmSync} from 'node:fs'
import type {AgentEvent} from '../../../core/protocol/index.js'
import {LoadAgent, outboxRoot, within} from './load-agent.js'
import {cpuPercent, readProcStats, type ProcSample} from './proc-stats.js'
import {percentile} from './stats.js'
import {LeasedWork, Share} from './shared-session.js'
import {EVENTS_PER_MOVIE, SyntheticEvents} from './synthetic-events.js'

const TICK_MS = 5

export interface DriveOptions {
  url: string
  /** Project and token of agent i. */
  joinFor: (i: number) => {project: string; token: string}
  agents: number
  /** Events per second per agent. */
  rate: number
  seconds: number
  /** The receiving process, measured from /proc. */
  pid: number
  drainTimeoutMs?: number
  /**
   * Agents sharing one session by leases (agent start --shared, this many slots each): movies
   * appear on a share at the rate the agents can send them, every agent offers each one, and
   * only the agent it is leased to sends its events. Without it each agent sends its own movies.
   */
  shared?: {slots: number}
}

export interface Sent {
  events: number
  movies: number
  stepsFinished: number
  samples: number
}

export interface DriveResult {
  perAgent: {agentId: string; project: string; sent: Sent}[]
  total: Sent
  /** Acknowledged by the end of the window. */
  ackedInWindow: number
  windowSeconds: number
  /** From the window's end until every event was acknowledged. */
  drainSeconds: number
  p50: number
  p99: number
  max: number
  cpuPercent: number
  cpuUsPerEvent: number
  rssBytes: number
  peakRssBytes: number
  problems: string[]
  /** Shared sessions: movies that appeared on the share, were leased, and leased more than once. */
  leases?: {appeared: number; leased: number; twice: number}
}

const zero = (): Sent => ({events: 0, movies: 0, stepsFinished: 0, samples: 0})

function count(sent: Sent, event: AgentEvent): void {
  sent.events++
  if (event.kind === 'movieFound') sent.movies++
  else if (event.kind === 'stepFinished') sent.stepsFinished++
  else if (event.kind === 'systemSample') sent.samples++
}

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const stateRoot = outboxRoot()
  const capacity = Math.ceil(o.rate * o.seconds) + 1
  const share = new Share()
  const takenBy = new Map<string, string[]>()
  const agents = Array.from({length: o.agents}, (_, i) => {
    const agentId = `load-agent-${String(i + 1).padStart(2, '0')}`
    const join = o.joinFor(i)
    let agent: LoadAgent | undefined
    const work = o.shared && new LeasedWork(agentId, () => agent!, o.shared.slots, takenBy)
    agent = new LoadAgent({
      url: o.url, ...join, agentId, stateRoot, capacity,
      ...(work ? {onConnected: (timing) => work.offers.connected(timing), onLease: (lease) => work.offers.received(lease)} : {}),
    })
    const own = new SyntheticEvents(agentId)
    return {agent, work, next: () => (work ? work.next() : own.next()), sent: zero(), project: join.project}
  })
  // A shared session's movies appear a little faster than the agents could send them all, so that none waits for want of work.
  const moviesPerSecond = (1.05 * o.agents * o.rate) / EVENTS_PER_MOVIE
  try {
    await within(Promise.all(agents.map((a) => a.agent.connected)), 60_000, `${o.agents} agents to be welcomed`)
    const before = readProcStats(o.pid)
    const started = performance.now()
    const end = await new Promise<ProcSample>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - started
        if (o.shared) {
          while (share.appeared < (moviesPerSecond * elapsed) / 1000) {
            const id = share.next()
            for (const a of agents) a.work!.offers.offer({id})
          }
        }
        const target = Math.min(capacity - 1, Math.floor((o.rate * elapsed) / 1000))
        for (const a of agents) {
          while (a.agent.appended < target) {
            const event = a.next()
            if (!event) break
            a.agent.append(event)
            count(a.sent, event)
          }
        }
        if (elapsed >= o.seconds * 1000) {
          clearInterval(timer)
          resolve(readProcStats(o.pid))
        }
      }, TICK_MS)
    })
    const ackedInWindow = agents.reduce((n, a) => n + a.agent.outbox.ackedSeq, 0)
    await within(Promise.all(agents.map((a) => a.agent.allAcked())), o.drainTimeoutMs ?? 120_000, 'every event to be acknowledged')
    const drained = readProcStats(o.pid)
    const latencies = concat(agents.map((a) => a.agent.outbox.ackLatencies()))
    const total = zero()
    for (const a of agents) for (const k of Object.keys(total) as (keyof Sent)[]) total[k] += a.sent[k]
    return {
      perAgent: agents.map((a) => ({agentId: a.agent.options.agentId, project: a.project, sent: a.sent})),
      total,
      ackedInWindow,
      windowSeconds: (end.at - started) / 1000,
      drainSeconds: (drained.at - end.at) / 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      cpuPercent: cpuPercent(before, drained),
      cpuUsPerEvent: ((drained.cpuMs - before.cpuMs) * 1000) / total.events,
      rssBytes: drained.rssBytes,
      peakRssBytes: drained.peakRssBytes,
      problems: agents.flatMap((a) => a.agent.problems),
      ...(o.shared ? {leases: {appeared: share.appeared, leased: takenBy.size, twice: [...takenBy.values()].filter((t) => t.length > 1).length}} : {}),
    }
  } finally {
    for (const a of agents) a.agent.close()
    rmSync(stateRoot, {recursive: true, force: true})
  }
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0))
  let at = 0
  for (const a of arrays) (out.set(a, at), (at += a.length))
  return out
}
