import {describe, expect, it} from 'vitest'
import {validateWorkflow} from '../workflow/index.js'
import {
  decodeAgentMessage,
  decodeControllerMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ControllerMessage,
  type Hello,
  type HeartbeatMessage,
  type OfferMessage,
} from './index.js'
import {asEventMessages, sampleMovieEvents} from './samples.js'

const hello: Hello = {type: 'hello', protocol: PROTOCOL_VERSION, agentId: 'krios-pc', project: 'apoferritin', token: 't0ken', host: 'krios-pc', software: '0.1.0'}

function refusal(frame: string | Buffer): string {
  const decoded = decodeAgentMessage(frame)
  if (decoded.ok) throw new Error('expected a refusal')
  return decoded.reason
}

describe('wire protocol', () => {
  it('round-trips every sample event and the hello', () => {
    const messages = [hello, ...asEventMessages('krios-pc', sampleMovieEvents('Grid1/FoilHole_1.tiff'))]
    for (const message of messages) expect(decodeAgentMessage(Buffer.from(encodeMessage(message)))).toEqual({ok: true, message})
  })

  it('round-trips controller messages, including the workflow', () => {
    const workflow = validateWorkflow({
      acquisition: {inputFolder: '/d', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
      picking: {diameterMin: 100, diameterMax: 150},
    })
    const messages: ControllerMessage[] = [
      {type: 'welcome', protocol: 2, project: 'p', lastSeq: 0, session: {state: 'running', acceptingMovies: true}, leases: {durationMs: 60_000, graceMs: 20_000}, workflow: {revision: 1, workflow}},
      {type: 'lease', granted: ['Grid1/a.tiff'], gone: ['b.tiff'], revoked: []},
      {type: 'workflow', revision: 1, workflow},
      {type: 'ack', seq: 12},
      {type: 'session', state: 'closed', acceptingMovies: false},
      {type: 'error', code: 'seq-gap', message: 'expected 3', fatal: false, seq: 5, expected: 3},
    ]
    for (const message of messages) expect(decodeControllerMessage(encodeMessage(message))).toEqual({ok: true, message})
  })

  it('refuses garbage with a reason instead of throwing', () => {
    expect(refusal('{"type": "hel')).toMatch(/^not JSON/)
    expect(refusal(Buffer.from([0xff, 0x00, 0x13]))).toMatch(/^not JSON/)
    expect(refusal('[1,2]')).toBe('message must be a JSON object')
    expect(refusal('null')).toBe('message must be a JSON object')
    expect(refusal('{"type": "shutdown"}')).toBe('field `type`: must be one of "hello", "event", "offer", "heartbeat" (got "shutdown")')
    expect(refusal(JSON.stringify({...hello, protocol: 'one'}))).toBe('field `protocol`: expected integer')
    expect(refusal('x'.repeat(MAX_MESSAGE_BYTES + 1))).toMatch(/larger than/)
  })

  it('round-trips the lease messages and refuses malformed ones by field', () => {
    const offer: OfferMessage = {type: 'offer', movies: ['GridSquare_1/Data/a.tiff', 'b.tiff']}
    const heartbeat: HeartbeatMessage = {type: 'heartbeat', slots: 4}
    for (const message of [offer, heartbeat]) expect(decodeAgentMessage(encodeMessage(message))).toEqual({ok: true, message})
    expect(refusal(JSON.stringify({type: 'offer', movies: []}))).toMatch(/^field `movies`: expected array length/)
    expect(refusal(JSON.stringify({type: 'offer', movies: ['']}))).toMatch(/^field `movies\[0\]`/)
    expect(refusal(JSON.stringify({type: 'offer', movies: Array.from({length: 10_001}, (_, i) => `m${i}`)}))).toMatch(/^field `movies`/)
    expect(refusal(JSON.stringify({type: 'heartbeat', slots: -1}))).toMatch(/^field `slots`: expected integer to be greater/)
    expect(refusal(JSON.stringify({type: 'heartbeat', slots: 1.5}))).toMatch(/^field `slots`: expected integer/)
    const lease = (extra: object) => decodeControllerMessage(JSON.stringify({type: 'lease', granted: [], gone: [], revoked: [], ...extra}))
    expect(lease({granted: [7]})).toMatchObject({ok: false, reason: expect.stringMatching(/^field `granted\[0\]`/)})
    expect(decodeControllerMessage(JSON.stringify({type: 'lease', granted: []}))).toMatchObject({ok: false, reason: expect.stringMatching(/^field `gone`/)})
    const welcome = {type: 'welcome', protocol: 2, project: 'p', lastSeq: 0, session: {state: 'running', acceptingMovies: true}}
    expect(decodeControllerMessage(JSON.stringify(welcome))).toMatchObject({ok: false, reason: expect.stringMatching(/^field `leases`/)})
    expect(decodeControllerMessage(JSON.stringify({...welcome, leases: {durationMs: 0, graceMs: 0}}))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^field `leases\.durationMs`/),
    })
  })

  it('carries a movie\'s sidecar metadata and refuses a malformed one', () => {
    const [found] = asEventMessages('a', sampleMovieEvents('m.tiff'))
    const sidecar = {file: '/data/GridSquare_7/Data/m.xml', format: 'epu-xml', nominalDefocus: 15000, totalDose: 40, acquiredAt: '2026-12-01T10:00:00', gridSquare: '7'}
    const withSidecar = {...found, event: {...found.event, sidecar}}
    expect(decodeAgentMessage(JSON.stringify(withSidecar))).toEqual({ok: true, message: withSidecar})
    const badFormat = {...found, event: {...found.event, sidecar: {...sidecar, format: 'tvips'}}}
    expect(refusal(JSON.stringify(badFormat))).toMatch(/^field `event\.sidecar\.format`/)
    const longSquare = {...found, event: {...found.event, sidecar: {...sidecar, gridSquare: 'x'.repeat(65)}}}
    expect(refusal(JSON.stringify(longSquare))).toMatch(/^field `event\.sidecar\.gridSquare`/)
    const noFile = {...found, event: {...found.event, sidecar: {format: 'epu-xml'}}}
    expect(refusal(JSON.stringify(noFile))).toMatch(/^field `event\.sidecar\.file`/)
  })

  it('names the field inside an event that is wrong', () => {
    const [, , motion, , ctf] = asEventMessages('a', sampleMovieEvents('m.tiff'))
    const badCtf = structuredClone(ctf) as any
    badCtf.event.result.defocusU = 'deep'
    expect(refusal(JSON.stringify(badCtf))).toBe('field `event.result.defocusU`: expected number')
    const badShift = structuredClone(motion) as any
    badShift.event.result.shifts[3] = [1]
    expect(refusal(JSON.stringify(badShift))).toMatch(/^field `event\.result\.shifts\[3\]/)
    const wrongStep = structuredClone(motion) as any
    wrongStep.event.step = 'ctf'
    expect(refusal(JSON.stringify(wrongStep))).toMatch(/^field `event\.result\.defocusU`: expected required property/)
    const unknownKind = {...motion, event: {kind: 'movieLost'}}
    expect(refusal(JSON.stringify(unknownKind))).toMatch(/^field `event\.kind`: must be one of .*"movieLost"/)
    expect(refusal(JSON.stringify({...motion, seq: 0}))).toBe('field `seq`: expected integer to be greater or equal to 1')
  })
})
