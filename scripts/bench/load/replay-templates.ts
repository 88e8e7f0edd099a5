// Movies recorded from a real agent (recording-proxy.ts), replayed under new names at other
// times: the same events with the movie renamed and the agent-side times (mtime, step runs)
// shifted. Result files still name the template's real outputs, so the report's images exist.
import type {AgentEvent, EventMessage} from '../../../core/protocol/index.js'
import type {TimedEvent} from './windowed.js'

export interface MovieTemplate {
  movie: string
  /** The movie's events as the agent sent them, in order. */
  messages: EventMessage[]
}

/** One template per movie that was found and finished all its steps. */
export function movieTemplates(messages: EventMessage[], steps: number): MovieTemplate[] {
  const byMovie = new Map<string, EventMessage[]>()
  for (const m of messages) {
    if (!('movie' in m.event)) continue // system samples and other agent-wide events
    const list = byMovie.get(m.event.movie) ?? []
    list.push(m)
    byMovie.set(m.event.movie, list)
  }
  return [...byMovie.entries()]
    .filter(([, list]) => list[0].event.kind === 'movieFound' && list.filter((m) => m.event.kind === 'stepFinished').length === steps)
    .map(([movie, list]) => ({movie, messages: list}))
}

/** The template's events for a movie called `name`, `shiftMs` later. */
export function replayed(template: MovieTemplate, name: string, shiftMs: number): TimedEvent[] {
  return template.messages.map((m) => ({event: renamed(structuredClone(m.event), template.movie, name, shiftMs), at: m.at + shiftMs}))
}

function renamed(event: AgentEvent, from: string, to: string, shiftMs: number): AgentEvent {
  if (!('movie' in event)) return event
  event.movie = to
  if (event.kind === 'movieFound') {
    if (event.path.endsWith(from)) event.path = event.path.slice(0, event.path.length - from.length) + to
    event.modifiedAt += shiftMs
    delete event.checksum // a copy's bytes were never hashed
  }
  if ('run' in event && event.run) {
    event.run.startedAt += shiftMs
    event.run.endedAt += shiftMs
  }
  return event
}
