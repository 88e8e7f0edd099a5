// Leases through the project: journaled before anyone hears of them, rebuilt from the journal
// after a crash (no snapshot since), and ended by the movie's own events.
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from './create.js'
import {projectLayout} from './layout.js'
import type {LeaseNotice} from './lease-table.js'
import {Project} from './project.js'

const workflow = minimalWorkflow()
const leaseTiming = {durationMs: 60_000, graceMs: 20_000}

/** The lease records in a project's journal folder, as on disk now. */
function journaledGrants(dir: string): {agentId: string; movies: string[]}[] {
  return readdirSync(dir)
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n'))
    .filter((line) => line.includes('"type":"lease"'))
    .map((line) => JSON.parse(line) as {agentId: string; movies: string[]})
    .map(({agentId, movies}) => ({agentId, movies}))
}

/** Collects notices; next() resolves with those told since the last call, once there are any. */
function listen(project: Project, onTold: (n: LeaseNotice) => void = () => {}) {
  let told: LeaseNotice[] = []
  let wake: (() => void) | undefined
  project.leases.onNotice(
    (n) => {
      onTold(n)
      told.push(n)
      wake?.()
    },
    (error) => {
      throw error
    },
  )
  return {
    now: () => told,
    next: async (): Promise<LeaseNotice[]> => {
      while (told.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      const out = told
      told = []
      return out
    },
  }
}

const open: Project[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()))
})

/** A new project, open with the test's lease timing and scheduled (closed after the test). */
async function scheduledProject() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'project-leases-'))
  await createProject({projectsDir, name: 'apo', workflow})
  const layout = projectLayout(projectsDir, 'apo')
  const project = await Project.open(layout, {leaseTiming})
  open.push(project)
  project.schedule()
  return {project, layout}
}

describe('project leases', () => {
  it('tells an agent of a grant only once it is on disk, and a reopened journal holds it', async () => {
    const {project, layout} = await scheduledProject()
    // What the journal on disk holds at the moment each notice is told.
    const onDiskWhenTold: ReturnType<typeof journaledGrants>[] = []
    const told = listen(project, () => onDiskWhenTold.push(journaledGrants(layout.journal)))
    project.leases.connected('a', 1000)
    project.leases.heartbeat('a', 1, 1000)
    project.leases.offered('a', ['m1.tiff', 'm2.tiff'], 1000)
    expect(told.now()).toEqual([])
    expect(await told.next()).toEqual([{agent: 'a', granted: ['m1.tiff'], gone: [], revoked: []}])
    expect(onDiskWhenTold).toEqual([[{agentId: 'a', movies: ['m1.tiff']}]])

    // As after a crash: the journal (no snapshot since the grant) rebuilds the lease.
    const replayed = await Project.open(layout, {readOnly: true, leaseTiming})
    expect(replayed.leases.holder('m1.tiff')).toBe('a')
    expect(replayed.leases.heldBy('a')).toEqual(['m1.tiff'])
    await replayed.close()

    // a processes m1: its last step ends the lease, and m2 follows in the freed slot.
    for (const m of asEventMessages('a', sampleMovieEvents('m1.tiff'))) project.ingest(m, 2000)
    expect(await told.next()).toEqual([{agent: 'a', granted: ['m2.tiff'], gone: [], revoked: []}])
    expect(project.leases.holder('m1.tiff')).toBeUndefined()
    // Only m2's lease keeps the session from closing once input stops.
    project.closeInput('test')
    expect(project.sessionInfo().state).toBe('running')
  })

  it('journals what is decided together as one record and one notice per agent, however many offers came in', async () => {
    const {project, layout} = await scheduledProject()
    const told = listen(project)
    for (const agent of ['a', 'b']) {
      project.leases.connected(agent, 1000)
      project.leases.heartbeat(agent, 2, 1000)
    }
    // Every agent offers every movie, one message per movie, all in one go (as from one socket read).
    for (const movie of ['m1', 'm2', 'm3', 'm4', 'm5']) for (const agent of ['a', 'b']) project.leases.offered(agent, [movie], 1000)
    expect(await told.next()).toEqual([
      {agent: 'a', granted: ['m1', 'm2'], gone: [], revoked: []},
      {agent: 'b', granted: ['m3', 'm4'], gone: [], revoked: []},
    ])
    expect(journaledGrants(layout.journal)).toEqual([{agentId: 'a', movies: ['m1', 'm2']}, {agentId: 'b', movies: ['m3', 'm4']}])
    // A repeated offer of a held movie is granted again without a new record.
    project.leases.offered('a', ['m1'], 1001)
    expect(await told.next()).toEqual([{agent: 'a', granted: ['m1'], gone: [], revoked: []}])
    expect(journaledGrants(layout.journal)).toHaveLength(2)
  })

  it('counts per agent the leases that expired and the movies re-leased, across a restart', async () => {
    const {project, layout} = await scheduledProject()
    const told = listen(project)
    project.leases.connected('a', 0)
    project.leases.connected('b', 0)
    project.leases.heartbeat('a', 2, 0)
    project.leases.heartbeat('b', 1, 0)
    project.leases.offered('a', ['m1', 'm2', 'm3'], 0)
    project.leases.offered('b', ['m1', 'm2', 'm3'], 0)
    await told.next()
    // a goes silent: m1 and m2 expire; b, heard from, takes m1 when m3 is done (m2 waits: it counts once it goes to another agent).
    project.leases.heartbeat('b', 1, leaseTiming.durationMs - 1)
    project.leases.tick(leaseTiming.durationMs)
    for (const m of asEventMessages('b', sampleMovieEvents('m3'))) project.ingest(m, leaseTiming.durationMs)
    await told.next()
    expect(project.leases.holder('m1')).toBe('b')
    const expected = [
      {agentId: 'a', held: 0, slots: 2, connected: true, lapsed: true, granted: 2, expired: 1, reLeased: 0},
      {agentId: 'b', held: 1, slots: 1, connected: true, lapsed: false, granted: 2, expired: 0, reLeased: 1},
    ]
    expect(project.leases.status()).toEqual({waiting: 1, agents: expected})

    // From the journal alone: the counts and held leases (m2, expired but given to nobody else, is
    // a's again for its grace: expiries are not journaled); slots and connections are the live controller's.
    const replayed = await Project.open(layout, {readOnly: true, leaseTiming})
    const offline = {slots: 0, connected: false, lapsed: false}
    expect(replayed.leases.status()).toEqual({waiting: 0, agents: [{...expected[0], ...offline, held: 1}, {...expected[1], ...offline}]})
    await replayed.close()
  })
})
