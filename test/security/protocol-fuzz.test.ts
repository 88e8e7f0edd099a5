// Property test of the wire protocol: random and mutated frames (seeded, reproducible) against the
// real decoders and a real server. Decoding never throws and always answers ok or a reason; the
// server answers every frame with a typed message or nothing, stays up, and still serves a good agent.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createRng, type Rng} from '../../scripts/simulator/rng.js'
import {decodeAgentMessage, decodeControllerMessage, encodeMessage, ERROR_CODES, PROTOCOL_VERSION, type Hello} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../../controller/project/create.js'
import {controlRequest} from '../../controller/server/control-client.js'
import {AGENT_PATH, startServer, type ControllerServer} from '../../controller/server/server.js'
import {RawAgent} from './test-agent.js'

const SEED = 20261201
type Json = null | boolean | number | string | Json[] | {[k: string]: Json}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]

function randomString(rng: Rng): string {
  const alphabet = ['a', 'Z', '0', '/', '.', '..', '\\', '\u0000', '"', '\u00e9', '\ud83d\ude00', '\ud800', ' ', '\n', '%', '$']
  return Array.from({length: rng.int(12)}, () => pick(rng, alphabet)).join('')
}

function randomValue(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0: return null
    case 1: return rng.next() < 0.5
    case 2: return pick(rng, [0, -1, 1, 2 ** 53, -(2 ** 53), 1e308, -1e-308, 0.5, 4294967297])
    case 3: return randomString(rng)
    case 4: return 'x'.repeat(rng.int(5000))
    case 5: return rng.uniform(-1e6, 1e6)
    case 6: return Array.from({length: rng.int(4)}, () => randomValue(rng, depth + 1))
    default: return Object.fromEntries(Array.from({length: rng.int(4)}, () => [pick(rng, ['type', 'seq', 'kind', 'movie', '__proto__', 'constructor', randomString(rng)]), randomValue(rng, depth + 1)]))
  }
}

/** Paths to every node of a JSON tree. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix]
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => paths(v, [...prefix, i])))
  if (value && typeof value === 'object') return here.concat(Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k])))
  return here
}

/** One structural mutation of a message: replace, delete or add at a random node. */
function mutate(rng: Rng, message: object): Json {
  const copy = JSON.parse(JSON.stringify(message)) as Json
  const all = paths(copy).filter((p) => p.length > 0)
  const path = pick(rng, all)
  let parent = copy as Record<string | number, Json>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>
  const key = path[path.length - 1]
  const op = rng.int(3)
  if (op === 0) parent[key] = randomValue(rng)
  else if (op === 1) {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else delete parent[key]
  } else if (!Array.isArray(parent)) parent[randomString(rng) || 'extra'] = randomValue(rng)
  else parent.push(randomValue(rng))
  return copy
}

/** A hostile frame: a mutated message, its text cut or its bytes flipped, or random bytes. */
function hostileFrame(rng: Rng, samples: object[]): string | Buffer {
  const base = pick(rng, samples)
  switch (rng.int(5)) {
    case 0: {
      const text = encodeMessage(base as never)
      return text.slice(0, rng.int(text.length))
    }
    case 1: {
      const bytes = Buffer.from(encodeMessage(base as never))
      for (let i = 0; i < 1 + rng.int(4); i++) bytes[rng.int(bytes.length)] = rng.int(256)
      return bytes
    }
    case 2: return Buffer.from(Array.from({length: rng.int(300)}, () => rng.int(256)))
    case 3: return JSON.stringify(randomValue(rng))
    default: return JSON.stringify(mutate(rng, base))
  }
}

const hello: Hello = {type: 'hello', protocol: PROTOCOL_VERSION, agentId: 'krios', project: 'apo', token: 'secret', host: 'pc', software: 't'}
const events = asEventMessages('krios', [...sampleMovieEvents('a.tiff'), ...sampleMovieEvents('b/c.tiff', undefined, 5)])

describe('wire protocol fuzz', () => {
  it('decoders never throw: 8000 hostile frames each come back ok or with a reason', () => {
    const rng = createRng(SEED, 'decoder')
    const samples = [hello, ...events]
    let refused = 0
    for (let i = 0; i < 8000; i++) {
      const frame = hostileFrame(rng, samples)
      for (const decode of [decodeAgentMessage, decodeControllerMessage]) {
        const decoded = decode(frame)
        if (decoded.ok) {
          // Whatever passes must survive a round trip unchanged (no half-valid values).
          expect(decode(encodeMessage(decoded.message))).toEqual(decoded)
        } else {
          refused++
          expect(typeof decoded.reason).toBe('string')
          expect(decoded.reason.length).toBeGreaterThan(0)
          expect(decoded.reason.length).toBeLessThan(1000)
        }
      }
    }
    console.log(`protocol fuzz (decoder, seed ${SEED}): 8000 frames x 2 decoders, ${refused} refused with a reason, 0 throws`)
    expect(refused).toBeGreaterThan(8000)
  })

  describe('against a real server', () => {
    let server: ControllerServer
    let projectsDir: string
    let token: string
    afterAll(() => server?.close())

    it('answers hostile frames only with typed messages before and after the hello, and keeps serving', async () => {
      projectsDir = mkdtempSync(join(tmpdir(), 'fuzz-'))
      token = (await createProject({
        projectsDir,
        name: 'apo',
        workflow: validateWorkflow({
          acquisition: {inputFolder: '/data', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
          picking: {diameterMin: 100, diameterMax: 150},
        }),
      })).token
      server = await startServer({projectsDir, port: 0, log: () => {}})
      const url = `ws://${server.host}:${server.port}${AGENT_PATH}`
      const rng = createRng(SEED, 'server')
      const good = {...hello, token}

      // Before the hello: every hostile first frame is refused and the socket closed, never welcomed.
      const preAuth = 150
      for (let i = 0; i < preAuth; i++) {
        const agent = await RawAgent.connect(url)
        agent.send(hostileFrame(rng, [hello, ...events]))
        expect(await agent.closed).toBe(1008)
        expect(agent.undecodable).toEqual([])
        expect(agent.messages).toHaveLength(1)
        expect(agent.messages[0]).toMatchObject({type: 'error', fatal: true})
      }

      // After the hello: a stream of hostile frames on one connection (reconnecting after a fatal refusal).
      let agent = await RawAgent.connect(url)
      agent.send(good)
      let closes = 0
      const postAuth = 1500
      for (let i = 0; i < postAuth; i++) {
        if (agent.ws.readyState !== agent.ws.OPEN) {
          await agent.closed
          closes++
          agent = await RawAgent.connect(url)
          agent.send(good)
        }
        agent.send(hostileFrame(rng, events))
      }
      const welcome = await RawAgent.connect(url)
      welcome.send(good)
      const w = await welcome.waitFor((m) => m.type === 'welcome')
      expect(w).toMatchObject({type: 'welcome'})
      const lastSeq = (w as {lastSeq: number}).lastSeq
      welcome.send({...events[0], seq: lastSeq + 1, event: {...events[0].event, movie: 'after-fuzz.tiff'} as never})
      await welcome.ackedUpTo(lastSeq + 1)
      for (const m of [...agent.messages, ...welcome.messages]) {
        expect(['welcome', 'ack', 'error', 'workflow', 'session']).toContain(m.type)
        if (m.type === 'error') expect(ERROR_CODES).toContain(m.code)
      }
      expect(agent.undecodable).toEqual([])
      const status = await controlRequest(projectsDir, 'apo', 'status')
      expect(status!.movies.found).toBeGreaterThanOrEqual(1)
      console.log(`protocol fuzz (server, seed ${SEED}): ${preAuth} hostile hellos refused and closed; ${postAuth} hostile frames after the hello, ${closes} fatal closes, ${lastSeq} events applied, server up`)
      welcome.ws.close()
      agent.ws.close()
    })
  })
})
