import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {decodeAgentMessage, encodeMessage, type AgentEvent} from '../../core/protocol/index.js'
import type {MotionResult} from '../../core/results/index.js'
import {LocalState} from '../pipeline/local-state.js'
import {causesEvent, eventForRecord} from './events.js'
import {gridSquareOf} from './sidecar-event.js'

const motion: MotionResult = {
  micrograph: '/out/motion/a.mrc',
  pixelSize: 1,
  shifts: [
    [0, 0],
    [0.5, -0.25],
  ],
  totalMotion: 0.56,
  earlyMotion: 0.56,
  lateMotion: 0,
  starFile: '/out/motion/a.star',
  frames: 2,
  dosePerFrame: 1,
}
const run = {program: 'builtin', version: 'emstream 0.1.0', argv: [], parameters: {binning: 1}, startedAt: 1, endedAt: 2, exitStatus: null, stderrTail: ''}

describe('eventForRecord', () => {
  it('turns every state transition into an event the controller accepts', () => {
    const state = LocalState.open(mkdtempSync(join(tmpdir(), 'events-')))
    const events: AgentEvent[] = []
    let seq = 0
    state.setHooks({
      stamp: (r) => (causesEvent(r) ? ++seq : undefined),
      written: (record, movie) => {
        const event = eventForRecord(record, movie, 'host-1')
        if (event) events.push(event)
      },
    })
    state.addMovie({id: 'sub/a.mrc', path: '/data/sub/a.mrc', foundAt: 5, size: 100, mtimeMs: 4, format: 'mrc', kind: 'movie'})
    state.stepStarted('sub/a.mrc', 'motion', 3, 'builtin')
    state.stepFailed('sub/a.mrc', 'motion', 'disk full', false, run)
    state.stepStarted('sub/a.mrc', 'motion', 3, 'builtin')
    state.stepDone('sub/a.mrc', 'motion', motion, run)
    state.movieDone('sub/a.mrc')
    expect(events.map((e) => e.kind)).toEqual(['movieFound', 'stepStarted', 'stepFailed', 'stepStarted', 'stepFinished'])
    events.forEach((event, i) => {
      const decoded = decodeAgentMessage(encodeMessage({type: 'event', agentId: 'agent-1', seq: i + 1, at: 10, event}))
      expect(decoded.ok ? 'ok' : decoded.reason).toBe('ok')
    })
    expect(events[2]).toMatchObject({kind: 'stepFailed', willRetry: true, attempt: 1, version: 3})
    expect(events[3]).toMatchObject({kind: 'stepStarted', attempt: 2})
    expect(events[4]).toMatchObject({kind: 'stepFinished', version: 3, outputs: ['/out/motion/a.mrc', '/out/motion/a.star'], run: {host: 'host-1'}})
  })

  it('sends the sidecar read beside the movie, leaving out values the protocol would refuse', () => {
    const state = LocalState.open(mkdtempSync(join(tmpdir(), 'events-')))
    const found: AgentEvent[] = []
    state.setHooks({stamp: () => 1, written: (record, movie) => void (record.t === 'movie' && found.push(eventForRecord(record, movie, 'h')!))})
    const file = '/data/Images-Disc1/GridSquare_4012/Data/FoilHole_1_Data_2_3.xml'
    const sidecar = {file, format: 'epu-xml' as const, targetDefocus: 18000, totalDose: 45, acquiredAt: '2026-12-01T09:30:00', pixelSize: 0.83, values: {Other: 'x'}}
    state.addMovie({id: 'a.tiff', path: '/data/a.tiff', foundAt: 5, size: 100, mtimeMs: 4, format: 'tiff', kind: 'movie', sidecar})
    state.addMovie({id: 'b.tiff', path: '/data/b.tiff', foundAt: 6, size: 100, mtimeMs: 4, format: 'tiff', kind: 'movie', sidecar: {file: '/data/b.mdoc', format: 'serialem-mdoc', totalDose: -1, acquiredAt: 'x'.repeat(200), values: {}}})
    expect(found[0]).toMatchObject({sidecar: {file, format: 'epu-xml', nominalDefocus: 18000, totalDose: 45, acquiredAt: '2026-12-01T09:30:00', gridSquare: '4012'}})
    expect(found[1]).toMatchObject({sidecar: {file: '/data/b.mdoc', format: 'serialem-mdoc'}})
    expect(Object.keys((found[1] as {sidecar: object}).sidecar).sort()).toEqual(['file', 'format'])
    for (const event of found) {
      const decoded = decodeAgentMessage(encodeMessage({type: 'event', agentId: 'agent-1', seq: 1, at: 10, event}))
      expect(decoded.ok ? 'ok' : decoded.reason).toBe('ok')
    }
  })

  it('finds the EPU grid square in a sidecar path, on either separator', () => {
    expect(gridSquareOf('/d/Images-Disc1/GridSquare_37/Data/x.xml')).toBe('37')
    expect(gridSquareOf('D:\\EPU\\Images-Disc1\\GridSquare_9\\Data\\x.xml')).toBe('9')
    expect(gridSquareOf('/d/session/x.mdoc')).toBeUndefined()
  })
})
