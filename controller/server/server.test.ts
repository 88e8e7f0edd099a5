import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {PROTOCOL_VERSION, type EventMessage} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from '../project/create.js'
import {listSegments} from '../project/journal.js'
import {projectLayout} from '../project/layout.js'
import {controlRequest} from './control-client.js'
import {startServer, type ControllerServer} from './server.js'
import {TestAgent} from './test-agent.test-support.js'

const workflow = minimalWorkflow()

const servers: ControllerServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setUp() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'serve-'))
  const {token} = await createProject({projectsDir, name: 'apo', workflow})
  const lines: string[] = []
  const server = await startServer({projectsDir, port: 0, log: (level, message) => lines.push(`${level} ${message}`)})
  servers.push(server)
  const hello = (agentId = 'krios') =>
    ({type: 'hello', protocol: PROTOCOL_VERSION, agentId, project: 'apo', token, host: 'krios-pc', software: 'test'}) as const
  return {projectsDir, token, server, lines, hello}
}

describe('controller server', () => {
  it('refuses a wrong token, then garbage, and stays up for a good agent', async () => {
    const {server, lines, hello} = await setUp()
    const intruder = await TestAgent.connect(server)
    intruder.send({...hello(), token: 'guess'})
    expect(await intruder.next()).toMatchObject({type: 'error', code: 'auth-failed', fatal: true})
    expect(await intruder.closed).toBe(1008)

    const noisy = await TestAgent.connect(server)
    noisy.send('\u0000\u0001 not json')
    expect(await noisy.next()).toMatchObject({type: 'error', code: 'invalid-message', fatal: true})
    await noisy.closed

    const early = await TestAgent.connect(server)
    early.send(asEventMessages('krios', sampleMovieEvents('m.tiff'))[0])
    expect(await early.next()).toMatchObject({type: 'error', code: 'not-authenticated'})

    const agent = await TestAgent.connect(server)
    agent.send(hello())
    expect(await agent.next()).toMatchObject({type: 'welcome', lastSeq: 0, session: {state: 'created'}})
    agent.send('{"type": "event", "seq": "x"}')
    expect(await agent.next()).toMatchObject({type: 'error', code: 'invalid-message', fatal: false})
    expect(lines.some((l) => /refused \(invalid-message\)/.test(l))).toBe(true)
    agent.ws.close()
  })

  it('delivers the workflow on schedule, acks only journaled events, and applies replays once', async () => {
    const {projectsDir, server, hello} = await setUp()
    const agent = await TestAgent.connect(server)
    agent.send(hello())
    expect((await agent.next()).type).toBe('welcome')
    await controlRequest(projectsDir, 'apo', 'schedule')
    expect(await agent.next()).toMatchObject({type: 'workflow', revision: 1, workflow: {acquisition: {pixelSize: 0.83}}})
    expect(await agent.next()).toMatchObject({type: 'session', state: 'scheduled', acceptingMovies: true})

    const stream: EventMessage[] = asEventMessages('krios', [...sampleMovieEvents('a.tiff'), ...sampleMovieEvents('b.tiff')])
    for (const m of stream.slice(0, 9)) agent.send(m)
    await agent.ackedUpTo(9)
    // Acknowledged means on disk: the journal holds seq 9 now.
    const journal = listSegments(projectLayout(projectsDir, 'apo').journal).map((s) => readFileSync(s.file, 'utf8')).join('')
    expect(journal).toContain('"seq":9,')

    // The connection drops before the agent saw more acks; it reconnects and replays from seq 5.
    agent.ws.close()
    const again = await TestAgent.connect(server)
    again.send(hello())
    const welcome = await again.next()
    expect(welcome).toMatchObject({type: 'welcome', lastSeq: 9, session: {state: 'running'}, workflow: {revision: 1}})
    for (const m of stream.slice(4)) again.send(m)
    await again.ackedUpTo(stream.length)
    const status = await controlRequest(projectsDir, 'apo', 'status')
    expect(status!.movies).toEqual({found: 2, processed: 2, failed: 0, inFlight: 0})
    expect(status!.steps.motion).toEqual({done: 2, failed: 0, running: 0})

    const stopped = await controlRequest(projectsDir, 'apo', 'stop-streaming')
    expect(stopped!.state).toBe('closed')
    expect(await again.next()).toMatchObject({type: 'session', state: 'running', acceptingMovies: false})
    expect(await again.next()).toMatchObject({type: 'session', state: 'closed', acceptingMovies: false})
  })

  it('serves several projects at once, each only to its own token', async () => {
    const {projectsDir, token, server, hello} = await setUp()
    const {token: riboToken} = await createProject({projectsDir, name: 'ribo', workflow})
    // apo's token does not open ribo (nor ribo's apo), and a refusal does not say which part was wrong.
    for (const [project, wrong] of [['ribo', token], ['apo', riboToken]]) {
      const intruder = await TestAgent.connect(server)
      intruder.send({...hello(), project, token: wrong})
      expect(await intruder.next()).toMatchObject({type: 'error', code: 'auth-failed', message: 'unknown project or wrong token', fatal: true})
    }
    const apo = await TestAgent.connect(server)
    apo.send(hello('krios'))
    expect(await apo.next()).toMatchObject({type: 'welcome', project: 'apo'})
    const ribo = await TestAgent.connect(server)
    ribo.send({...hello('glacios'), project: 'ribo', token: riboToken})
    expect(await ribo.next()).toMatchObject({type: 'welcome', project: 'ribo', lastSeq: 0})
    const stream = asEventMessages('krios', sampleMovieEvents('a.tiff'))
    for (const m of stream) apo.send(m)
    await apo.ackedUpTo(stream.length)
    // A second agent id on ribo with the same seqs is ribo's own sequence: apo's events never reach it.
    const riboStream = asEventMessages('glacios', sampleMovieEvents('r.tiff').slice(0, 1))
    ribo.send(riboStream[0])
    await ribo.ackedUpTo(1)
    const apoStatus = await controlRequest(projectsDir, 'apo', 'status')
    const riboStatus = await controlRequest(projectsDir, 'ribo', 'status')
    expect([apoStatus!.movies.found, apoStatus!.movies.processed]).toEqual([1, 1])
    expect([riboStatus!.movies.found, riboStatus!.movies.processed]).toEqual([1, 0])
    const movieNames = async (name: string) => (await server.registry.get(name))!.project.db.exec('SELECT movie FROM movies')[0].values.flat()
    expect(await movieNames('apo')).toEqual(['a.tiff'])
    expect(await movieNames('ribo')).toEqual(['r.tiff'])
  })

  it('accepts events pipelined right behind the hello', async () => {
    const {server, hello} = await setUp()
    const agent = await TestAgent.connect(server)
    const stream = asEventMessages('krios', sampleMovieEvents('a.tiff'))
    agent.send(hello())
    for (const m of stream) agent.send(m)
    expect((await agent.next()).type).toBe('welcome')
    await agent.ackedUpTo(stream.length)
  })

  it('tells an agent that skipped seqs which one it expects', async () => {
    const {server, hello} = await setUp()
    const agent = await TestAgent.connect(server)
    agent.send(hello())
    await agent.next()
    const [first, , third] = asEventMessages('krios', sampleMovieEvents('a.tiff'))
    agent.send(first)
    agent.send(third)
    const replies = [await agent.next(), await agent.next()]
    expect(replies).toContainEqual({type: 'error', code: 'seq-gap', message: 'expected seq 2', fatal: false, seq: 3, expected: 2})
    expect(replies).toContainEqual({type: 'ack', seq: 1})
  })
})
