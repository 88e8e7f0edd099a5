// The project on a full disk (a small tmpfs; needs root): journal writes stall instead of failing,
// nothing unwritten counts as durable, the journal keeps whole lines, the snapshot stays the old
// one, the monitors alert why, and everything goes on by itself once space returns.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {fillDisk, mountTmpfs, tmpfsUnavailable} from '../../test/support/tmpfs.js'
import {MonitorService} from '../monitors/service.js'
import {createProject} from './create.js'
import {listSegments} from './journal.js'
import {projectLayout, type ProjectLayout} from './layout.js'
import {Project} from './project.js'
import {DiskFullError, STORAGE_ALERT} from './storage.js'

const workflow = minimalWorkflow()
const skip = tmpfsUnavailable()
const unmounts: (() => void)[] = []
afterAll(() => unmounts.forEach((unmount) => unmount()))

/** A project on its own 2 MiB tmpfs, opened, with a log of its storage changes and a way to wait for the next one. */
async function projectOnTmpfs() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'projects-full-'))
  unmounts.push(mountTmpfs(projectsDir, '2m'))
  await createProject({projectsDir, name: 'apo', workflow})
  const layout = projectLayout(projectsDir, 'apo')
  const changes: (string | undefined)[] = []
  let notify = () => {}
  const project = await Project.open(layout, {onStorage: (problem) => (changes.push(problem), notify())})
  const nextChange = () => new Promise<string | undefined>((resolve) => (notify = () => resolve(changes[changes.length - 1])))
  return {projectsDir, layout, project, changes, nextChange, filler: join(projectsDir, 'filler')}
}

/** Every journal line on disk is whole JSON and each segment ends with a newline. */
function journalLinesWhole(layout: ProjectLayout): number {
  let lines = 0
  for (const {file} of listSegments(layout.journal)) {
    const text = readFileSync(file, 'utf8')
    if (text.length === 0) continue
    expect(text.endsWith('\n'), file).toBe(true)
    for (const line of text.slice(0, -1).split('\n')) (JSON.parse(line), lines++)
  }
  return lines
}

const settled = async (promise: Promise<unknown>) => {
  let done = false
  void promise.then(() => (done = true))
  // Two turns of the event loop: more than a resolved promise needs to run its callbacks.
  await new Promise((r) => setImmediate(r))
  await new Promise((r) => setImmediate(r))
  return done
}

describe.skipIf(skip !== undefined)(`project on a full disk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('holds back durability, keeps whole journal lines, alerts, and resumes when space returns', async () => {
    const {layout, project, changes, nextChange, filler} = await projectOnTmpfs()
    project.schedule()
    const stream = asEventMessages('krios', [...sampleMovieEvents('Grid1/movie_0.tiff'), ...sampleMovieEvents('Grid1/movie_1.tiff')])
    const half = stream.length / 2
    for (const m of stream.slice(0, half)) project.ingest(m)
    await project.durable()
    expect(project.durableSeq('krios')).toBe(half)
    const linesBefore = journalLinesWhole(layout)

    fillDisk(filler)
    const stalled = nextChange()
    // More than a page: the slack at the end of the journal file cannot take it.
    for (const m of stream.slice(half)) project.ingest(m)
    project.raiseAlert({monitor: 'test', severity: 'info', message: 'x'.repeat(8192)})
    const durable = project.durable()
    const problem = await stalled
    expect(problem).toMatch(/journal write: no space left \(ENOSPC\)/)
    expect(problem).toMatch(/nothing new is acknowledged/)
    expect(await settled(durable)).toBe(false)
    expect(project.lastSeq('krios')).toBe(stream.length)
    expect(project.durableSeq('krios')).toBe(half)
    // The monitors raise the alert from the project's storage problem (and resolve it below).
    const monitors = new MonitorService(project, {log: () => {}})
    expect(project.storageProblem()).toMatchObject({message: problem, since: expect.any(Number)})
    expect(monitors.evaluate().fired.map((f) => f.key)).toContain(STORAGE_ALERT)
    expect(project.status().alerts.find((a) => a.monitor === STORAGE_ALERT)).toMatchObject({severity: 'critical', message: problem})
    expect(journalLinesWhole(layout)).toBe(linesBefore)
    // A snapshot cannot be taken while the journal waits; the old one stays.
    const snapshotBefore = readFileSync(layout.snapshot)
    await expect(project.snapshot()).rejects.toBeInstanceOf(DiskFullError)
    expect(readFileSync(layout.snapshot).equals(snapshotBefore)).toBe(true)

    const recovered = nextChange()
    rmSync(filler)
    expect(await recovered).toBeUndefined()
    await durable
    await project.durable()
    expect(project.durableSeq('krios')).toBe(stream.length)
    expect(project.storageProblem()).toBeUndefined()
    expect(monitors.evaluate().resolved.map((a) => a.key)).toContain(STORAGE_ALERT)
    expect(project.status().alerts.map((a) => a.monitor)).not.toContain(STORAGE_ALERT)
    expect(changes).toEqual([problem, undefined])
    await project.close()

    const reopened = await Project.open(layout)
    try {
      expect(reopened.lastSeq('krios')).toBe(stream.length)
      expect(reopened.status().movies).toMatchObject({found: 2})
      // Raised and resolved, both on disk.
      expect(reopened.db.exec('SELECT count(*), count(resolved_at) FROM alerts WHERE monitor = ?', [STORAGE_ALERT])[0].values[0]).toEqual([1, 1])
    } finally {
      await reopened.close()
    }
  })

  it('keeps the old snapshot when a new one finds no space, and alerts until one is written', async () => {
    const {layout, project, nextChange, filler} = await projectOnTmpfs()
    project.schedule()
    for (const m of asEventMessages('krios', sampleMovieEvents('Grid1/movie_0.tiff'))) project.ingest(m)
    await project.durable()
    const snapshotBefore = readFileSync(layout.snapshot)

    fillDisk(filler)
    const alerted = nextChange()
    const error = await project.snapshot().catch((e: Error) => e)
    expect(error).toBeInstanceOf(DiskFullError)
    expect((error as Error).message).toMatch(/project\.sqlite: snapshot write: no space left/)
    expect(await alerted).toMatch(/snapshot/)
    expect(readFileSync(layout.snapshot).equals(snapshotBefore)).toBe(true)
    expect(readdirSync(layout.root).filter((f) => f.endsWith('.tmp'))).toEqual([])

    rmSync(filler)
    await project.durable() // the alert's journal record, written once the retry finds space
    const cleared = nextChange()
    await project.snapshot()
    expect(await cleared).toBeUndefined()
    expect(readFileSync(layout.snapshot).equals(snapshotBefore)).toBe(false)
    await project.close()
    const reopened = await Project.open(layout)
    expect(reopened.status().movies).toMatchObject({found: 1})
    await reopened.close()
  })

  it('counts a report that found the disk full until one is written', async () => {
    const {project, changes} = await projectOnTmpfs()
    // As it comes out of the export worker: the code survives only in the message.
    const full = new Error("worker task 'exportFromCopy' failed: ENOSPC: no space left on device, write")
    project.reportWritten(new Error('the build tool crashed'))
    expect(project.storageProblem()).toBeUndefined()
    project.reportWritten(full)
    expect(project.storageProblem()?.message).toMatch(/report write: no space left \(ENOSPC\) \(failing: report\)$/)
    project.reportWritten()
    expect(project.storageProblem()).toBeUndefined()
    expect(changes).toEqual([expect.stringMatching(/report write/), undefined])
    await project.close()
  })

  it('closes on a full disk without what it could not write, and reopens from what it did', async () => {
    const {layout, project, changes, filler} = await projectOnTmpfs()
    project.schedule()
    const stream = asEventMessages('krios', [...sampleMovieEvents('Grid1/movie_0.tiff'), ...sampleMovieEvents('Grid1/movie_1.tiff')])
    const half = stream.length / 2
    for (const m of stream.slice(0, half)) project.ingest(m)
    await project.durable()
    fillDisk(filler)
    for (const m of stream.slice(half)) project.ingest(m)
    project.raiseAlert({monitor: 'test', severity: 'info', message: 'x'.repeat(8192)})
    const durable = project.durable()
    await project.close()
    await expect(durable).rejects.toThrow(/closed with \d+ journal records unwritten/)
    expect(changes.at(-1)).toMatch(/closed with \d+ records unwritten \(never acknowledged/)
    journalLinesWhole(layout)

    rmSync(filler)
    const reopened = await Project.open(layout)
    try {
      // The agent was told nothing past `half`: it sends the rest again.
      expect(reopened.lastSeq('krios')).toBe(half)
      for (const m of stream.slice(half)) expect(reopened.ingest(m).status).toBe('applied')
      await reopened.durable()
      expect(reopened.status().movies).toMatchObject({found: 2})
    } finally {
      await reopened.close()
    }
  })
})
