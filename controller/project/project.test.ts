import {appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import type {EventMessage} from '../../core/protocol/index.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from './create.js'
import {ProjectError} from './errors.js'
import {listSegments} from './journal.js'
import {projectLayout} from './layout.js'
import {Project} from './project.js'

const workflow = minimalWorkflow()

const open: Project[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()))
})

async function newProject(name = 'apo') {
  const projectsDir = mkdtempSync(join(tmpdir(), 'projects-'))
  const created = await createProject({projectsDir, name, workflow})
  return {projectsDir, created, layout: projectLayout(projectsDir, name)}
}

async function openProject(layout: ReturnType<typeof projectLayout>, readOnly = false) {
  const project = await Project.open(layout, {readOnly})
  if (!readOnly) open.push(project)
  return project
}

/** The events of `movies` movies (3 steps each), numbered for one agent. */
function events(agentId: string, movies: number): EventMessage[] {
  const all = Array.from({length: movies}, (_, i) => sampleMovieEvents(`Grid1/movie_${i}.tiff`)).flat()
  return asEventMessages(agentId, all)
}

/** The files as they were on disk at this instant, in another folder, as if the process had died. */
function crashCopy(projectsDir: string, name: string) {
  const copy = mkdtempSync(join(tmpdir(), 'crash-'))
  cpSync(join(projectsDir, name), join(copy, name), {recursive: true, filter: (src) => !src.endsWith('/lock')})
  return projectLayout(copy, name)
}

describe('create-project', () => {
  it('creates the database and a token only the owner can read, and refuses to overwrite', async () => {
    const {projectsDir, created, layout} = await newProject()
    expect(created.token).toMatch(/^[\w-]{43}$/)
    expect(readFileSync(layout.token, 'utf8').trim()).toBe(created.token)
    expect(statSync(layout.token).mode & 0o777).toBe(0o600)
    const project = await openProject(layout, true)
    expect(project.status().state).toBe('created')
    await expect(createProject({projectsDir, name: 'apo', workflow})).rejects.toThrow(/already exists; pass --force/)
    const again = await createProject({projectsDir, name: 'apo', workflow, force: true})
    expect(again.token).not.toBe(created.token)
  })

  it('refuses names that are not a plain folder name', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'projects-'))
    await expect(createProject({projectsDir, name: '../escape', workflow})).rejects.toBeInstanceOf(ProjectError)
  })
})

describe('exactly-once apply', () => {
  it('applies replayed duplicates once and refuses gaps', async () => {
    const {layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const stream = events('krios', 2)
    for (const m of stream.slice(0, 10)) expect(project.ingest(m).status).toBe('applied')
    // A reconnect replays everything not yet acknowledged: the first 10 again, then the rest.
    for (const m of stream.slice(0, 10)) expect(project.ingest(m).status).toBe('duplicate')
    expect(project.ingest(stream[12])).toEqual({status: 'gap', expected: 11})
    for (const m of stream.slice(10)) expect(project.ingest(m).status).toBe('applied')
    const status = project.status()
    expect(status.movies).toEqual({found: 2, processed: 2, failed: 0, inFlight: 0})
    expect(status.steps).toEqual({motion: {done: 2, failed: 0, running: 0}, ctf: {done: 2, failed: 0, running: 0}, picking: {done: 2, failed: 0, running: 0}})
    expect(Number(project.db.exec('SELECT count(*) FROM ctf')[0].values[0][0])).toBe(2)
    await project.durable()
  })

  it('stores a movie\'s sidecar once, through duplicates, a re-sent movieFound and journal replay', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const sidecar = {file: '/data/Images-Disc1/GridSquare_5/Data/m.xml', format: 'epu-xml' as const, nominalDefocus: 12000, gridSquare: '5'}
    const [found, ...rest] = events('krios', 1)
    const withSidecar: EventMessage = {...found, event: {...found.event, sidecar} as EventMessage['event']}
    expect(project.ingest(withSidecar).status).toBe('applied')
    expect(project.ingest(withSidecar).status).toBe('duplicate')
    for (const m of rest) project.ingest(m)
    // An agent that rebuilt its outbox sends the movie again under a new seq, the dose now read too.
    const resent = {...withSidecar, seq: rest.length + 2, event: {...withSidecar.event, sidecar: {...sidecar, totalDose: 40}} as EventMessage['event']}
    expect(project.ingest(resent).status).toBe('applied')
    await project.durable()
    const sidecarRows = (p: Project) => p.db.exec('SELECT m.movie, s.file, s.format, s.nominal_defocus, s.total_dose, s.acquired_at, s.grid_square FROM movie_sidecars s JOIN movies m ON m.id = s.movie_id')[0].values
    const expected = [['Grid1/movie_0.tiff', sidecar.file, 'epu-xml', 12000, 40, null, '5']]
    expect(sidecarRows(project)).toEqual(expected)
    const replayed = await openProject(crashCopy(projectsDir, 'apo'))
    expect(sidecarRows(replayed)).toEqual(expected)
  })

  it('remembers applied seqs across a restart', async () => {
    const {layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const stream = events('krios', 1)
    for (const m of stream) project.ingest(m)
    await project.close()
    open.splice(0)
    const reopened = await openProject(layout)
    expect(reopened.lastSeq('krios')).toBe(stream.length)
    expect(reopened.ingest(stream[3]).status).toBe('duplicate')
    expect(reopened.status().movies.processed).toBe(1)
  })
})

describe('crash safety', () => {
  it('loses no durable event when the process dies without closing', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    for (const m of events('krios', 3)) project.ingest(m)
    await project.durable()
    const after = await openProject(crashCopy(projectsDir, 'apo'))
    expect(after.status().movies).toEqual(project.status().movies)
    expect(after.lastSeq('krios')).toBe(project.lastSeq('krios'))
  })

  it('ignores a torn last journal line and appends cleanly after it', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const stream = events('krios', 2)
    for (const m of stream.slice(0, 7)) project.ingest(m)
    await project.durable()
    const crashed = crashCopy(projectsDir, 'apo')
    const segment = listSegments(crashed.journal).at(-1)!.file
    const lastLine = JSON.stringify({j: 99, type: 'event', agentId: 'krios', seq: 8, event: stream[7].event})
    appendFileSync(segment, lastLine.slice(0, 40)) // the write the crash interrupted
    const reopened = await openProject(crashed)
    expect(reopened.lastSeq('krios')).toBe(7)
    expect(reopened.status().movies).toEqual({found: 1, processed: 1, failed: 0, inFlight: 0})
    for (const m of stream.slice(7)) expect(reopened.ingest(m).status).toBe('applied')
    await reopened.close()
    open.splice(open.indexOf(reopened), 1)
    const third = await openProject(crashed)
    expect(third.status().movies.processed).toBe(2)
  })

  it('never reads a snapshot temp file and survives dying between snapshot and journal cleanup', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const stream = events('krios', 3)
    for (const m of stream.slice(0, 9)) project.ingest(m)
    await project.durable()
    const oldSegments = crashCopy(projectsDir, 'apo')
    await project.snapshot()
    for (const m of stream.slice(9)) project.ingest(m)
    await project.durable()
    const crashed = crashCopy(projectsDir, 'apo')
    // A half-written next snapshot, and the segments the snapshot made obsolete still present.
    writeFileSync(`${crashed.snapshot}.tmp`, 'SQLite format 3\0 half a page')
    for (const name of readdirSync(oldSegments.journal)) cpSync(join(oldSegments.journal, name), join(crashed.journal, name))
    const reopened = await openProject(crashed)
    expect(reopened.status().movies).toEqual({found: 3, processed: 3, failed: 0, inFlight: 0})
    expect(reopened.lastSeq('krios')).toBe(stream.length)
    expect(Number(reopened.db.exec('SELECT count(*) FROM step_runs')[0].values[0][0])).toBe(9)
  })

  it('journals a received frame as it is, unless it spans lines', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    const [first, second] = events('krios', 1)
    project.ingest(first, 1, JSON.stringify(first))
    project.ingest(second, 2, JSON.stringify(second, null, 2))
    await project.durable()
    const reopened = await openProject(crashCopy(projectsDir, 'apo'))
    expect(reopened.lastSeq('krios')).toBe(2)
    expect(reopened.status().steps.motion).toEqual({done: 0, failed: 0, running: 1})
  })

  it('names the file and line of a corrupt journal line that is not the last', async () => {
    const {projectsDir, layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    for (const m of events('krios', 1)) project.ingest(m)
    await project.durable()
    const crashed = crashCopy(projectsDir, 'apo')
    const segment = listSegments(crashed.journal).at(-1)!.file
    const lines = readFileSync(segment, 'utf8').split('\n')
    lines[2] = lines[2].slice(0, 10)
    writeFileSync(segment, lines.join('\n'))
    await expect(Project.open(crashed)).rejects.toThrow(/journal line 3 is corrupt/)
  })

  it('refuses a second writer while the first holds the project', async () => {
    const {layout} = await newProject()
    await openProject(layout)
    await expect(Project.open(layout)).rejects.toThrow(/is open in another process/)
  })
})

describe('session', () => {
  it('closes after stop-streaming once queued movies are done, and closes the output sets', async () => {
    const {layout} = await newProject()
    const project = await openProject(layout)
    const changes: string[] = []
    project.onSessionChange((s) => changes.push(`${s.state}/${s.acceptingMovies}`))
    project.schedule()
    const stream = events('krios', 1)
    for (const m of stream.slice(0, 4)) project.ingest(m)
    expect(project.status().state).toBe('running')
    project.closeInput('stop-streaming')
    expect(project.status()).toMatchObject({state: 'running', acceptingMovies: false, movies: {inFlight: 1}})
    for (const m of stream.slice(4)) project.ingest(m)
    const status = project.status()
    expect(status.state).toBe('closed')
    expect(status.outputSets.every((s) => s.state === 'closed')).toBe(true)
    expect(changes).toEqual(['scheduled/true', 'running/false', 'closed/false'])
  })

  it('closes the input after the idle timeout without a new movie', async () => {
    const {layout} = await newProject()
    const project = await openProject(layout)
    project.schedule(0)
    project.ingest(events('krios', 1)[0], 1000)
    await project.tick(1000 + 11 * 3_600_000)
    expect(project.status().acceptingMovies).toBe(true)
    await project.tick(1000 + 12 * 3_600_000)
    expect(project.status().acceptingMovies).toBe(false)
  })

  it('reports status in the documented shape', async () => {
    const {layout} = await newProject()
    const project = await openProject(layout)
    project.schedule()
    const stream = events('krios', 1)
    project.ingest(stream[0], Date.parse('2026-01-02T03:04:05Z'))
    project.ingest(stream[1])
    project.raiseAlert({monitor: 'ctf', severity: 'warning', message: 'astigmatism 2500 A > 2000 A', movie: 'Grid1/movie_0.tiff'})
    const status = JSON.parse(JSON.stringify(project.status()))
    expect(status).toMatchObject({
      project: 'apo',
      state: 'running',
      movies: {found: 1, processed: 0, failed: 0, inFlight: 1},
      steps: {motion: {done: 0, failed: 0, running: 1}, ctf: {done: 0, failed: 0, running: 0}},
      lastMovieAt: '2026-01-02T03:04:05.000Z',
      alerts: [{monitor: 'ctf', severity: 'warning', message: 'astigmatism 2500 A > 2000 A', movie: 'Grid1/movie_0.tiff'}],
    })
  })
})
