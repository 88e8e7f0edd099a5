import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {resolveStartConfig} from './start-config.js'

describe('resolveStartConfig', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'agent-config-')), 'agent.json')
  writeFileSync(file, JSON.stringify({controller: 'ws://file:1', token: 'from-file', project: 'p1', gpus: [0, 1], threads: 3}))

  it('takes flags over environment over the config file, and points at the agent endpoint', () => {
    const c = resolveStartConfig({config: file, token: 'from-flag'}, {EMSTREAM_CONTROLLER: 'ws://env:2', EMSTREAM_TOKEN: 'from-env'})
    expect(c.token).toBe('from-flag')
    expect(c.controller).toBe('ws://env:2/agent')
    expect(c.project).toBe('p1')
    expect(c.gpus).toEqual([0, 1])
    expect(c.threads).toBe(3)
  })
  it('reads the shared-session settings: --shared, --slots, --path-map (repeated, or a list in the environment)', () => {
    const base = {controller: 'ws://h:1', project: 'p', token: 't'}
    expect(resolveStartConfig(base, {})).toMatchObject({shared: false, slots: 4, pathMap: []})
    const c = resolveStartConfig({...base, shared: true, slots: 2, pathMap: ['/mnt/krios=/data/krios']}, {})
    expect(c).toMatchObject({shared: true, slots: 2, pathMap: [{shared: '/mnt/krios', local: '/data/krios'}]})
    const e = resolveStartConfig(base, {EMSTREAM_SHARED: '1', EMSTREAM_PATH_MAP: '/a=/b, /c=/d'})
    expect(e).toMatchObject({shared: true, pathMap: [{shared: '/a', local: '/b'}, {shared: '/c', local: '/d'}]})
    expect(() => resolveStartConfig({...base, pathMap: ['/mnt/krios']}, {})).toThrow(/^pathMap: --path-map "\/mnt\/krios": must be SHARED=LOCAL/)
    expect(() => resolveStartConfig({...base, slots: 0}, {})).toThrow(/slots: must be a number >= 1/)
  })
  it('names the missing or bad field', () => {
    expect(() => resolveStartConfig({controller: 'ws://h:1', project: 'p'}, {})).toThrow(/token: required: pass --token or set EMSTREAM_TOKEN/)
    expect(() => resolveStartConfig({controller: 'http://h:1', project: 'p', token: 't'}, {})).toThrow(/controller: must be a ws/)
    expect(() => resolveStartConfig({controller: 'ws://h:1', project: 'p', token: 't', gpus: '0,x'}, {})).toThrow(/gpus/)
  })
})
