// A shared agent's offers and leases, wired to a real pipeline as `agent start --shared` wires
// them: offers go out once per turn, leased movies are processed, and a revoked movie is dropped
// from the queue unless it has started.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {HeartbeatMessage, OfferMessage} from '../../core/protocol/index.js'
import {LocalState} from '../pipeline/local-state.js'
import type {MovieRecord} from '../pipeline/movie.js'
import {Pipeline} from '../pipeline/pipeline.js'
import {ResourcePool} from '../pipeline/resources.js'
import {StepRunner} from '../pipeline/step-runner.js'
import {MovieOffers} from './movie-offers.js'

const stepModule = new URL('../pipeline/fixtures/file-steps.ts', import.meta.url).href
type NewMovie = Omit<MovieRecord, 'order' | 'status' | 'steps'>

const runners: StepRunner[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

const turn = () => new Promise((resolve) => setImmediate(resolve))

/** A shared agent with one CPU (one movie's step at a time) and `slots` movies leased at once. */
function sharedAgent(slots: number) {
  const dir = mkdtempSync(join(tmpdir(), 'movie-offers-'))
  const runner = new StepRunner(1)
  runners.push(runner)
  const state = LocalState.open(join(dir, 'state'))
  const pipeline = new Pipeline({
    state,
    steps: [{
      name: 'motion',
      program: 'builtin',
      version: 1,
      applies: () => true,
      resources: {cpu: 1, gpu: 0},
      call: (movie) => ({call: {module: stepModule, entry: 'copyStep', args: [movie.path, join(dir, 'out'), {tag: 'motion'}]}, parameters: {}}),
    }],
    pool: new ResourcePool(1, []),
    executor: runner,
    attempts: 1,
    softwareVersion: 'test',
  })
  const sent: (OfferMessage | HeartbeatMessage)[] = []
  const logged: {level: string; line: string; fields?: Record<string, unknown>}[] = []
  let connected = true
  const offers = new MovieOffers<NewMovie>({
    slots,
    send: (message) => connected && sent.push(message) > 0,
    take: (movie) => void pipeline.add(movie),
    revoke: (ids) => pipeline.release(ids),
    log: (level, line, fields) => logged.push({level, line, fields}),
  })
  const movie = (id: string): NewMovie => {
    const path = join(dir, id)
    writeFileSync(path, `frames of ${id}`)
    return {id, path, foundAt: Date.now(), size: 10, mtimeMs: 0, format: 'mrc', kind: 'movie'}
  }
  return {dir, state, pipeline, offers, sent, logged, movie, setConnected: (c: boolean) => (connected = c)}
}

describe('shared agent offers', () => {
  it('offers the movies found in one turn in one message, and all unleased ones again after a welcome', async () => {
    const agent = sharedAgent(2)
    agent.setConnected(false)
    agent.offers.offer(agent.movie('m1.mrc'))
    await turn()
    agent.setConnected(true)
    for (const id of ['m2.mrc', 'm3.mrc', 'm2.mrc']) agent.offers.offer(agent.movie(id))
    expect(agent.sent).toEqual([])
    await turn()
    expect(agent.sent).toEqual([{type: 'offer', movies: ['m2.mrc', 'm3.mrc']}])
    agent.offers.connected({durationMs: 60_000, graceMs: 1000})
    expect(agent.sent.slice(1)).toEqual([{type: 'heartbeat', slots: 2}, {type: 'offer', movies: ['m1.mrc', 'm2.mrc', 'm3.mrc']}])
    agent.offers.close()
  })

  it('drops a revoked movie it has not started, and finishes the one it has', async () => {
    const agent = sharedAgent(3)
    for (const id of ['m1.mrc', 'm2.mrc', 'm3.mrc', 'm4.mrc']) agent.offers.offer(agent.movie(id))
    agent.offers.received({type: 'lease', granted: ['m1.mrc', 'm2.mrc', 'm3.mrc'], gone: [], revoked: []})
    // One CPU: m1 runs, m2 and m3 wait in the queue.
    expect(agent.pipeline.counts()).toMatchObject({found: 3, running: 1, queued: 2})
    // Away too long: m1 and m2 went to another agent (and m4, whose grant it never got).
    agent.offers.received({type: 'lease', granted: [], gone: [], revoked: ['m1.mrc', 'm2.mrc', 'm4.mrc']})
    expect(agent.pipeline.counts()).toMatchObject({found: 3, released: 1, running: 1, queued: 1})
    expect(agent.offers.pending).toBe(0)
    expect(agent.logged.map((l) => [l.level, l.fields?.movies])).toEqual([['info', ['m2.mrc']], ['warn', ['m1.mrc']]])
    await agent.pipeline.idle()
    expect(agent.pipeline.counts()).toMatchObject({found: 3, done: 2, failed: 0, released: 1, queued: 0})
    expect(['m1.mrc', 'm2.mrc', 'm3.mrc'].map((id) => agent.state.get(id)?.status)).toEqual(['done', 'released', 'done'])
    expect(agent.state.get('m2.mrc')?.steps).toEqual({})
    // A rerun of it is not this agent's to do: it never held the movie's results.
    expect(agent.pipeline.rerun(['m2.mrc'], ['motion'], 1)).toEqual([])

    // After a restart the dropped movie stays dropped: nothing is queued again.
    agent.state.close()
    const reopened = LocalState.open(join(agent.dir, 'state'))
    expect(reopened.tally()).toEqual({found: 3, done: 2, failed: 0, released: 1, queued: 0})
    expect(reopened.get('m2.mrc')?.status).toBe('released')
    reopened.close()
    agent.offers.close()
  })
})
