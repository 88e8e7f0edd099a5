// Leases through the project: journaled before anyone hears of them, rebuilt from the journal
// after a crash (no snapshot since), and ended by the movie's own events.
import {mkdtempSync} from 'node:fs'
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

const open: Project[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()))
})

describe('project leases', () => {
  it('tells an agent of a grant only once it is on disk, and a reopened journal holds it', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'project-leases-'))
    await createProject({projectsDir, name: 'apo', workflow})
    const layout = projectLayout(projectsDir, 'apo')
    const project = await Project.open(layout, {leaseTiming})
    open.push(project)
    project.schedule()
    const told: LeaseNotice[] = []
    project.leases.onNotice((n) => told.push(n), (error) => {
      throw error
    })
    project.leases.connected('a', 1000)
    project.leases.heartbeat('a', 1, 1000)
    project.leases.offered('a', ['m1.tiff', 'm2.tiff'], 1000)
    expect(told).toEqual([])
    await project.durable()
    await new Promise((resolve) => setImmediate(resolve))
    expect(told).toEqual([{agent: 'a', granted: ['m1.tiff'], gone: [], revoked: []}])

    // As after a crash: the journal (no snapshot since the grant) rebuilds the lease.
    const replayed = await Project.open(layout, {readOnly: true, leaseTiming})
    expect(replayed.leases.holder('m1.tiff')).toBe('a')
    expect(replayed.leases.heldBy('a')).toEqual(['m1.tiff'])
    await replayed.close()

    // a processes m1: its last step ends the lease, and m2 follows in the freed slot.
    for (const m of asEventMessages('a', sampleMovieEvents('m1.tiff'))) project.ingest(m, 2000)
    await project.durable()
    await new Promise((resolve) => setImmediate(resolve))
    expect(told.at(-1)).toEqual({agent: 'a', granted: ['m2.tiff'], gone: [], revoked: []})
    expect(project.leases.holder('m1.tiff')).toBeUndefined()
    // Only m2's lease keeps the session from closing once input stops.
    project.closeInput('test')
    expect(project.sessionInfo().state).toBe('running')
  })
})
