// Alerts end to end: a project receives results, the monitor service fires and resolves alerts
// through the journal, and a real local SMTP server and HTTP server receive the notifications.
import {mkdtempSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SMTPServer} from 'smtp-server'
import {afterEach, describe, expect, it} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import type {AgentEvent} from '../../core/protocol/index.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {MonitorService} from '../monitors/service.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {rows} from '../project/queries.js'
import type {AlertNotification} from './notification.js'
import {RateLimit} from './rate-limit.js'

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** Collects messages received by a real SMTP server on a free local port. */
async function smtpInbox() {
  const messages: string[] = []
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      let text = ''
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
      stream.on('end', () => {
        messages.push(decodeQuotedPrintable(text))
        waiters.splice(0).forEach((w) => w())
        done()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.server.address() as AddressInfo).port
  return {port, messages, next: (count: number) => until(() => messages.length >= count, waiters)}
}

/** Collects JSON bodies POSTed to a local HTTP server. */
async function webhookSink() {
  const bodies: {text: string}[] = []
  const waiters: (() => void)[] = []
  const server: Server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk))
    request.on('end', () => {
      bodies.push(JSON.parse(text) as {text: string})
      response.writeHead(200).end('ok')
      waiters.splice(0).forEach((w) => w())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/abc`, bodies, next: (count: number) => until(() => bodies.length >= count, waiters)}
}

function until(done: () => boolean, waiters: (() => void)[]): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : waiters.push(check))
    check()
  })
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/** One movie's events with the CTF fit resolution set. */
function movieEvents(movie: string, resolution: number): AgentEvent[] {
  return sampleMovieEvents(movie).map((e) =>
    e.kind === 'stepFinished' && e.step === 'ctf' ? {...e, result: {...e.result, resolution}} : e,
  )
}

async function projectWithChannels(smtpPort: number, webhookUrl: string) {
  const projectsDir = mkdtempSync(join(tmpdir(), 'alerts-'))
  const workflow = validateWorkflow({
    acquisition: {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    preview: {enabled: false},
    monitors: {
      ctf: {maxResolution: 8, window: 5},
      picking: {minParticles: 2},
      notifications: {email: {host: '127.0.0.1', port: smtpPort, from: 'emstream@facility.org', to: ['operator@facility.org']}, webhook: {url: webhookUrl}},
    },
  })
  await createProject({projectsDir, name: 'apo', workflow})
  const layout = projectLayout(projectsDir, 'apo')
  const project = await Project.open(layout)
  let closed = false
  cleanup.push(async () => void (closed || (await project.close())))
  return {project, layout, close: async () => ((closed = true), await project.close())}
}

describe('alert notifications', () => {
  it('a run of bad CTF fits fires once by e-mail and webhook, then resolves; the alert is kept in the project', async () => {
    const inbox = await smtpInbox()
    const hook = await webhookSink()
    const {project, layout, close} = await projectWithChannels(inbox.port, hook.url)
    project.schedule()
    const service = new MonitorService(project, {log: () => {}})
    cleanup.push(() => service.stop())
    let seq = 1
    const ingest = (events: AgentEvent[]) => {
      for (const m of asEventMessages('agent-1', events, seq)) project.ingest(m)
      seq += events.length
    }

    ingest(['bad_1.tiff', 'bad_2.tiff', 'bad_3.tiff'].flatMap((m) => movieEvents(m, 12)))
    const first = service.evaluate()
    expect(first.fired.map((f) => f.key)).toEqual(['ctf.resolution'])
    expect(service.evaluate().fired).toEqual([]) // still firing: not raised again
    await Promise.all([inbox.next(1), hook.next(1)])
    expect(inbox.messages[0]).toMatch(/Subject: \[emstream apo\] warning: ctf.resolution/)
    expect(inbox.messages[0]).toMatch(/To: operator@facility.org/)
    expect(inbox.messages[0]).toMatch(/median 12 A over the last 3 micrographs is above 8 A/)
    expect(inbox.messages[0]).toMatch(/micrographs: bad_3.tiff, bad_2.tiff, bad_1.tiff/)
    expect(inbox.messages[0]).toMatch(/threshold 8, value 12/)
    expect(hook.bodies[0].text).toMatch(/WARNING \[ctf.resolution\] since \d{4}-\d\d-\d\dT/)

    ingest(['good_1.tiff', 'good_2.tiff', 'good_3.tiff', 'good_4.tiff'].flatMap((m) => movieEvents(m, 4)))
    const second = service.evaluate()
    expect(second.resolved.map((a) => a.key)).toEqual(['ctf.resolution'])
    expect(second.fired.map((f) => f.key)).toEqual(['ctf.resolution.outliers']) // bad_3 is still in the window of 5
    await Promise.all([inbox.next(2), hook.next(2)])
    expect(inbox.messages[1]).toMatch(/Subject: \[emstream apo\] resolved: ctf.resolution/)
    expect(hook.bodies[1].text).toMatch(/RESOLVED \[ctf.resolution\]/)
    await service.idle()
    expect(inbox.messages).toHaveLength(2) // the informational outlier alert is stored, not sent

    await project.durable()
    await service.stop()
    await close()
    const reopened = await Project.open(layout, {readOnly: true})
    try {
      const stored = rows(reopened.db, 'SELECT monitor, severity, at, resolved_at, details FROM alerts ORDER BY id')
      expect(stored.map((r) => [r.monitor, r.resolved_at === null])).toEqual([['ctf.resolution', false], ['ctf.resolution.outliers', true]])
      expect(JSON.parse(String(stored[0].details)).movies).toEqual(['bad_3.tiff', 'bad_2.tiff', 'bad_1.tiff'])
      expect(reopened.status().alerts.map((a) => a.monitor)).toEqual(['ctf.resolution.outliers'])
    } finally {
      await reopened.close()
    }
  })

  it('an undeliverable channel is logged, not thrown', async () => {
    const hook = await webhookSink()
    const {project} = await projectWithChannels(1, hook.url) // nothing listens on port 1
    project.schedule()
    const logged: string[] = []
    const service = new MonitorService(project, {log: (_level, message) => logged.push(message)})
    cleanup.push(() => service.stop())
    for (const m of asEventMessages('agent-1', movieEvents('bad.tiff', 20))) project.ingest(m)
    expect(service.evaluate().fired.map((f) => f.key)).toEqual(['ctf.resolution'])
    await service.idle()
    expect(hook.bodies).toHaveLength(1)
    expect(logged.join('\n')).toMatch(/alert not delivered: email to operator@facility.org via 127.0.0.1:1: .*ECONNREFUSED/)
  })
})

describe('rate limit', () => {
  const note = (key: string, state: 'firing' | 'resolved' = 'firing'): AlertNotification => ({
    project: 'p', state, key, severity: 'warning', message: key, movies: [], since: 0, at: 0,
  })

  it('the same key at most once per interval; its resolution is held back with it', () => {
    const limit = new RateLimit({minIntervalMinutes: 10, maxPerHour: 100})
    expect(limit.admit([note('a')], 0).send).toHaveLength(1)
    expect(limit.admit([note('a', 'resolved')], 60_000).send).toHaveLength(1)
    expect(limit.admit([note('a')], 120_000).send).toEqual([]) // flapping
    expect(limit.admit([note('a', 'resolved')], 180_000).send).toEqual([])
    const later = limit.admit([note('a'), note('b')], 11 * 60_000)
    expect(later.send.map((n) => n.key)).toEqual(['a', 'b'])
    expect(later.suppressed).toBe(2)
  })

  it('at most maxPerHour messages per hour', () => {
    const limit = new RateLimit({minIntervalMinutes: 0, maxPerHour: 2})
    expect(limit.admit([note('a')], 0).send).toHaveLength(1)
    expect(limit.admit([note('b')], 1000).send).toHaveLength(1)
    expect(limit.admit([note('c')], 2000).send).toEqual([])
    expect(limit.admit([note('d')], 3_600_000)).toMatchObject({send: [note('d')], suppressed: 1})
  })
})
