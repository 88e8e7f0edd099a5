// Shared agents over the real server: movies leased by free slots, a dead agent's movies going to
// the other after its grace, a late result kept only where nobody finished first, leases kept
// across a controller restart.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {PROTOCOL_VERSION, type ControllerMessage, type LeaseMessage} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from '../project/create.js'
import type {StatusWithLeases} from '../project/lease-status.js'
import type {ProjectStatus} from '../project/queries.js'
import {controlRequest} from './control-client.js'
import {startServer, type ControllerServer} from './server.js'
import {TestAgent} from './test-agent.test-support.js'

const workflow = minimalWorkflow()
const leaseTiming = {durationMs: 30_000, graceMs: 300}
const movies = ['m1.tiff', 'm2.tiff', 'm3.tiff', 'm4.tiff']

const servers: ControllerServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(projectsDir: string, timing = leaseTiming): Promise<ControllerServer> {
  const server = await startServer({projectsDir, port: 0, log: () => {}, leaseTiming: timing})
  servers.push(server)
  return server
}

/** Messages until one matches, skipping the rest (acks, session changes). */
async function until<T extends ControllerMessage>(agent: TestAgent, match: (m: ControllerMessage) => m is T): Promise<T> {
  for (;;) {
    const m = await agent.next()
    if (match(m)) return m
    if (m.type === 'error') throw new Error(`${m.code}: ${m.message}`)
  }
}

const isLease = (m: ControllerMessage): m is LeaseMessage => m.type === 'lease'

/** Lease messages until `n` movies were granted in all. */
async function granted(agent: TestAgent, n: number): Promise<string[]> {
  const movies: string[] = []
  while (movies.length < n) movies.push(...(await until(agent, isLease)).granted)
  return movies
}

async function join_(server: ControllerServer, token: string, agentId: string, slots?: number): Promise<TestAgent> {
  const agent = await TestAgent.connect(server)
  agent.send({type: 'hello', protocol: PROTOCOL_VERSION, agentId, project: 'apo', token, host: agentId, software: 'test'})
  expect(await agent.next()).toMatchObject({type: 'welcome', leases: {durationMs: leaseTiming.durationMs}})
  if (slots !== undefined) agent.send({type: 'heartbeat', slots})
  return agent
}

describe('movie leases over the server', () => {
  it('leases each movie to one agent, re-leases a dead one\'s, keeps a late result only where nobody finished', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'leases-'))
    const {token} = await createProject({projectsDir, name: 'apo', workflow})
    let server = await serve(projectsDir)
    await controlRequest(projectsDir, 'apo', 'schedule')
    const a = await join_(server, token, 'a', 2)
    const b = await join_(server, token, 'b', 2)
    a.send({type: 'offer', movies})
    expect(await granted(a, 2)).toEqual(['m1.tiff', 'm2.tiff'])
    b.send({type: 'offer', movies})
    expect(await granted(b, 2)).toEqual(['m3.tiff', 'm4.tiff'])

    // a finishes m1 and starts m2, then dies; its movies wait out the grace, then m2 goes to b once b has room.
    const aEvents = asEventMessages('a', [...sampleMovieEvents('m1.tiff'), ...sampleMovieEvents('m2.tiff').slice(0, 2)])
    for (const m of aEvents) a.send(m)
    await a.ackedUpTo(aEvents.length)
    a.ws.terminate()
    const bEvents = asEventMessages('b', sampleMovieEvents('m3.tiff'))
    for (const m of bEvents) b.send(m)
    expect(await granted(b, 1)).toEqual(['m2.tiff'])
    const bM2 = asEventMessages('b', sampleMovieEvents('m2.tiff'), bEvents.length + 1)
    for (const m of bM2) b.send(m)
    await b.ackedUpTo(bEvents.length + bM2.length)

    // a comes back: m2 is no longer its; its late motion result for m2 is dropped (b finished it), nothing else changes.
    const back = await join_(server, token, 'a')
    expect(await until(back, isLease)).toEqual({type: 'lease', granted: [], gone: [], revoked: ['m2.tiff']})
    const late = asEventMessages('a', sampleMovieEvents('m2.tiff').slice(2, 3), aEvents.length + 1)[0]
    back.send({...late, event: {...late.event, outputs: ['/late/a.mrc']}} as typeof late)
    await back.ackedUpTo(late.seq)
    const project = (await server.registry.get('apo'))!.project
    const rows = (sql: string) => project.db.exec(sql)[0]?.values ?? []
    expect(rows(`SELECT m.movie, r.step, r.agent_id, r.outputs FROM step_runs r JOIN movies m ON m.id = r.movie_id WHERE m.movie = 'm2.tiff' AND r.step = 'motion'`))
      .toEqual([['m2.tiff', 'motion', 'b', JSON.stringify(['/data/out/m2.mrc'])]])
    expect(rows('SELECT movie, agent_id, grants FROM leases ORDER BY movie')).toEqual([
      ['m1.tiff', 'a', 1], ['m2.tiff', 'b', 2], ['m3.tiff', 'b', 1], ['m4.tiff', 'b', 1],
    ])
    expect(rows('SELECT count(*), count(DISTINCT movie_id) FROM micrographs')).toEqual([[3, 3]])
    // controller status shows it per agent: a lost m2 to b, b holds m4.
    const status = await controlRequest<StatusWithLeases<ProjectStatus>>(projectsDir, 'apo', 'status')
    expect(status?.leases).toEqual({
      waiting: 0,
      agents: [
        {agentId: 'a', held: 0, slots: 2, connected: true, lapsed: false, granted: 2, expired: 1, reLeased: 0},
        {agentId: 'b', held: 1, slots: 2, connected: true, lapsed: false, granted: 3, expired: 0, reLeased: 1},
      ],
    })

    // A restart keeps m4 b's: a newcomer offering it within b's grace (a longer one now: a loaded
    // machine may take a while to get here) gets nothing, b gets it again.
    await server.close()
    servers.splice(servers.indexOf(server), 1)
    server = await serve(projectsDir, {...leaseTiming, graceMs: 60_000})
    const c = await join_(server, token, 'c', 4)
    c.send({type: 'offer', movies: ['m4.tiff', 'm5.tiff']})
    expect(await granted(c, 1)).toEqual(['m5.tiff'])
    const bAgain = await join_(server, token, 'b', 2)
    bAgain.send({type: 'offer', movies: ['m1.tiff', 'm4.tiff']})
    expect(await until(bAgain, isLease)).toEqual({type: 'lease', granted: ['m4.tiff'], gone: ['m1.tiff'], revoked: []})
    const reopened = (await server.registry.get('apo'))!.project
    expect(reopened.leases.holder('m4.tiff')).toBe('b')
  })

  it('gives a movie an agent without leases already found to nobody else', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'leases-'))
    const {token} = await createProject({projectsDir, name: 'apo', workflow})
    const server = await serve(projectsDir)
    await controlRequest(projectsDir, 'apo', 'schedule')
    const solo = await join_(server, token, 'solo')
    const found = asEventMessages('solo', sampleMovieEvents('m1.tiff').slice(0, 1))
    solo.send(found[0])
    await solo.ackedUpTo(1)
    const shared = await join_(server, token, 'shared', 2)
    shared.send({type: 'offer', movies: ['m1.tiff', 'm2.tiff']})
    expect(await until(shared, isLease)).toEqual({type: 'lease', granted: ['m2.tiff'], gone: ['m1.tiff'], revoked: []})
  })

  it('tells an agent that connected again on its newest connection; the replaced one closing is no disconnect', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'leases-'))
    const {token} = await createProject({projectsDir, name: 'apo', workflow})
    const server = await serve(projectsDir)
    await controlRequest(projectsDir, 'apo', 'schedule')
    const first = await join_(server, token, 'a', 1)
    const second = await join_(server, token, 'a', 1)
    expect(await first.closed).toBe(1000)
    second.send({type: 'offer', movies: ['m1.tiff', 'm2.tiff']})
    expect(await granted(second, 1)).toEqual(['m1.tiff'])
    const status = await controlRequest<StatusWithLeases<ProjectStatus>>(projectsDir, 'apo', 'status')
    expect(status?.leases?.agents).toMatchObject([{agentId: 'a', held: 1, connected: true}])
  })
})
