// Fills a project through the controller's ingest path: simulated agents send whole movies as
// fast as the controller acknowledges them, each keeping a window of unacknowledged events in
// flight, as an agent replaying its outbox after an outage does.
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {LoadAgent, within} from './load-agent.js'
import {EVENTS_PER_MOVIE, SyntheticEvents} from './synthetic-events.js'

export interface FloodOptions {
  url: string
  project: string
  token: string
  agents: number
  movies: number
  /** Unacknowledged events each agent keeps in flight. */
  window: number
  timeoutMs: number
  /** Called now and then with the movies sent so far. */
  progress?: (moviesSent: number) => void
}

export async function flood(o: FloodOptions): Promise<{seconds: number; events: number}> {
  const stateRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'emstream-load-outbox-'))
  const perAgent = (i: number) => Math.floor(o.movies / o.agents) + (i < o.movies % o.agents ? 1 : 0)
  const agents = Array.from({length: o.agents}, (_, i) => {
    const agentId = `fill-agent-${String(i + 1).padStart(2, '0')}`
    const capacity = perAgent(i) * EVENTS_PER_MOVIE + 1
    return {agent: new LoadAgent({url: o.url, project: o.project, token: o.token, agentId, stateRoot, capacity}), stream: new SyntheticEvents(agentId), movies: perAgent(i)}
  })
  try {
    await within(Promise.all(agents.map((a) => a.agent.connected)), 60_000, 'the agents to be welcomed')
    const started = performance.now()
    let reported = 0
    const done = agents.map(
      (a) =>
        new Promise<void>((resolve) => {
          let finishing = false
          const pump = () => {
            while (a.stream.movies < a.movies && a.agent.appended - a.agent.outbox.ackedSeq < o.window) {
              for (const event of a.stream.nextMovie()) a.agent.append(event)
            }
            const sent = agents.reduce((n, x) => n + x.stream.movies, 0)
            if (o.progress && sent - reported >= 10_000) o.progress((reported = sent))
            if (a.stream.movies === a.movies && !finishing) {
              finishing = true
              void a.agent.allAcked().then(resolve)
            }
          }
          a.agent.outbox.onAck(pump)
          pump()
        }),
    )
    await within(Promise.all(done), o.timeoutMs, `${o.movies} movies to be acknowledged`)
    return {seconds: (performance.now() - started) / 1000, events: agents.reduce((n, a) => n + a.agent.appended, 0)}
  } finally {
    for (const a of agents) a.agent.close()
    rmSync(stateRoot, {recursive: true, force: true})
  }
}
