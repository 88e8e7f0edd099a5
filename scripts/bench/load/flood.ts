// Fills a project through the controller's ingest path: simulated agents send synthetic movies
// (windowed.ts) as fast as the controller acknowledges them.
import {rmSync} from 'node:fs'
import {LoadAgent, outboxRoot, within} from './load-agent.js'
import {EVENTS_PER_MOVIE, SyntheticEvents} from './synthetic-events.js'
import {sendWindowed} from './windowed.js'

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
  const stateRoot = outboxRoot()
  const perAgent = (i: number) => Math.floor(o.movies / o.agents) + (i < o.movies % o.agents ? 1 : 0)
  const agents = Array.from({length: o.agents}, (_, i) => {
    const agentId = `fill-agent-${String(i + 1).padStart(2, '0')}`
    const capacity = perAgent(i) * EVENTS_PER_MOVIE + 1
    return {agent: new LoadAgent({url: o.url, project: o.project, token: o.token, agentId, stateRoot, capacity}), stream: new SyntheticEvents(agentId), movies: perAgent(i)}
  })
  try {
    await within(Promise.all(agents.map((a) => a.agent.connected)), 60_000, 'the agents to be welcomed')
    const started = performance.now()
    let sent = 0
    const done = agents.map((a) =>
      sendWindowed(a.agent, () => (a.stream.movies < a.movies ? a.stream.nextMovie().map((event) => ({event})) : undefined), o.window, () => {
        if (++sent % 10_000 === 0) o.progress?.(sent)
      }),
    )
    await within(Promise.all(done), o.timeoutMs, `${o.movies} movies to be acknowledged`)
    return {seconds: (performance.now() - started) / 1000, events: agents.reduce((n, a) => n + a.agent.appended, 0)}
  } finally {
    for (const a of agents) a.agent.close()
    rmSync(stateRoot, {recursive: true, force: true})
  }
}
