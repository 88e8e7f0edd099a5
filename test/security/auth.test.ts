// Every way an agent can fail to authenticate: closed with a typed refusal before anything else
// it sent is applied; the token is compared in constant time and never logged; limits on what an
// unauthenticated or fast client may cost the controller.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import WebSocket from 'ws'
import {PROTOCOL_VERSION, type Hello} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from '../../controller/project/create.js'
import {tokensEqual} from '../../controller/project/token.js'
import {controlRequest} from '../../controller/server/control-client.js'
import {MAX_HELLO_BYTES, MAX_UNAUTHENTICATED} from '../../controller/server/limits.js'
import {AGENT_PATH, startServer, type ControllerServer} from '../../controller/server/server.js'
import {RawAgent} from './test-agent.js'

const workflow = minimalWorkflow()

const servers: ControllerServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setUp(options: {rateLimit?: {perSecond: number; burst: number}} = {}) {
  const projectsDir = mkdtempSync(join(tmpdir(), 'security-'))
  const {token} = await createProject({projectsDir, name: 'apo', workflow})
  const other = await createProject({projectsDir, name: 'other', workflow})
  const lines: string[] = []
  const server = await startServer({projectsDir, port: 0, log: (level, message) => lines.push(`${level} ${message}`), ...options})
  servers.push(server)
  const url = `ws://${server.host}:${server.port}${AGENT_PATH}`
  const hello = (overrides: Partial<Hello> = {}): Hello => ({
    type: 'hello', protocol: PROTOCOL_VERSION, agentId: 'krios', project: 'apo', token, host: 'krios-pc', software: 'test', ...overrides,
  })
  return {projectsDir, token, otherToken: other.token, server, url, lines, hello}
}

/** Sends the frames on a fresh connection; resolves with the refusal and the close code. */
async function refusedWith(url: string, frames: (string | object)[]) {
  const agent = await RawAgent.connect(url)
  for (const f of frames) agent.send(typeof f === 'string' ? f : JSON.stringify(f))
  const code = await agent.closed
  expect(agent.undecodable).toEqual([])
  expect(agent.messages.map((m) => m.type)).toEqual(['error'])
  return {error: agent.messages[0] as Extract<(typeof agent.messages)[number], {type: 'error'}>, code}
}

describe('agent authentication', () => {
  it('closes every connection without the right token before applying anything it sent', async () => {
    const {url, token, otherToken, hello, projectsDir, lines} = await setUp()
    const events = asEventMessages('krios', sampleMovieEvents('a.tiff')).map((e) => JSON.stringify(e))
    const {token: _omitted, ...noToken} = hello()
    const cases: [string, (string | object)[], string][] = [
      ['no hello, an event first', [events[0]], 'not-authenticated'],
      ['hello without a token', [noToken, ...events], 'invalid-message'],
      ['empty token', [hello({token: ''}), ...events], 'auth-failed'],
      ['wrong token', [hello({token: 'guess'}), ...events], 'auth-failed'],
      ['the token with one character changed', [hello({token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')}), ...events], 'auth-failed'],
      ['a prefix of the token', [hello({token: token.slice(0, 10)}), ...events], 'auth-failed'],
      ['the token with a suffix', [hello({token: token + 'x'}), ...events], 'auth-failed'],
      ['another project\'s token', [hello({token: otherToken}), ...events], 'auth-failed'],
      ['an unknown project', [hello({project: 'nope'}), ...events], 'auth-failed'],
      ['a project name that walks out of the folder', [hello({project: '../apo'}), ...events], 'auth-failed'],
      ['an older protocol', [hello({protocol: PROTOCOL_VERSION - 1}), ...events], 'protocol-version'],
      ['a hello over the size limit', [{...hello(), host: 'x'.repeat(MAX_HELLO_BYTES)}, ...events], 'invalid-message'],
      ['not JSON', ['{"type":"hello",', ...events], 'invalid-message'],
    ]
    const unknown = {message: '', project: ''}
    for (const [what, frames, code] of cases) {
      const refused = await refusedWith(url, frames)
      expect({what, code: refused.error.code, fatal: refused.error.fatal, close: refused.code}).toEqual({what, code, fatal: true, close: 1008})
      if (what === 'wrong token') unknown.message = refused.error.message
      if (what === 'an unknown project') unknown.project = refused.error.message
    }
    // An unknown project and a wrong token read the same: neither is revealed.
    expect(unknown.project).toBe(unknown.message)
    const status = await controlRequest(projectsDir, 'apo', 'status')
    expect(status!.movies.found).toBe(0)
    // The tokens (right or tried) never appear in the log.
    expect(lines.length).toBeGreaterThan(cases.length)
    for (const secret of [token, otherToken, 'guess', token.slice(0, 10)]) expect(lines.filter((l) => l.includes(secret))).toEqual([])
  })

  it('accepts the right token and applies what follows', async () => {
    const {url, hello, projectsDir} = await setUp()
    const agent = await RawAgent.connect(url)
    agent.send(hello())
    const stream = asEventMessages('krios', sampleMovieEvents('a.tiff'))
    for (const m of stream) agent.send(m)
    await agent.ackedUpTo(stream.length)
    expect(agent.messages[0]).toMatchObject({type: 'welcome', lastSeq: 0})
    expect((await controlRequest(projectsDir, 'apo', 'status'))!.movies.found).toBe(1)
    agent.ws.close()
  })

  it('compares tokens in constant time over hashes: equal only when identical', () => {
    const token = 'k3Y9-abcdefghijklmnopqrstuvwxyz0123456789ABC'
    expect(tokensEqual(token, token)).toBe(true)
    for (const given of ['', token.slice(0, -1), token + '\0', token.toUpperCase(), ` ${token}`]) expect(tokensEqual(given, token)).toBe(false)
  })

  it(`turns away connections beyond ${MAX_UNAUTHENTICATED} that have not said hello, and serves again once they go`, async () => {
    const {url, hello} = await setUp()
    const silent = await Promise.all(Array.from({length: MAX_UNAUTHENTICATED}, () => RawAgent.connect(url)))
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('open', () => reject(new Error('a connection over the limit was accepted')))
    })
    expect(status).toBe(503)
    for (const s of silent) s.ws.close()
    await Promise.all(silent.map((s) => s.closed))
    const agent = await RawAgent.connect(url)
    agent.send(hello())
    expect(await agent.waitFor(() => true)).toMatchObject({type: 'welcome'})
    agent.ws.close()
  })

  it('slows a connection over its message rate without dropping anything', async () => {
    const perSecond = 100
    const burst = 20
    const {url, hello} = await setUp({rateLimit: {perSecond, burst}})
    const agent = await RawAgent.connect(url)
    agent.send(hello())
    await agent.waitFor((m) => m.type === 'welcome')
    const count = 150
    const events = asEventMessages('krios', Array.from({length: count / 5}, (_, i) => sampleMovieEvents(`m${i}.tiff`).slice(0, 5)).flat())
    const started = performance.now()
    for (const m of events) agent.send(m)
    await agent.ackedUpTo(count)
    const seconds = (performance.now() - started) / 1000
    // At most burst + rate * t messages are read by time t; every event is still applied.
    expect(seconds).toBeGreaterThan(((count - burst) / perSecond) * 0.9)
    expect(agent.messages.filter((m) => m.type === 'error')).toEqual([])
    agent.ws.close()
  })
})
