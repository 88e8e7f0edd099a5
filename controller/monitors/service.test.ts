// The monitor service on a real project: time-based monitors fire on the clock and resolve when
// the project changes; transitions go through the journal and survive a reopen.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AgentEvent, SystemSample} from '../../core/protocol/index.js'
import {sampleMovieEvents} from '../../core/protocol/samples.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {rows} from '../project/queries.js'
import {readOpenAlerts} from './read.js'
import {MonitorService} from './service.js'

const T = 1_760_000_000_000
const MIN = 60_000
const GB = 1e9

const workflow = validateWorkflow({
  acquisition: {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
  preview: {enabled: false},
  monitors: {
    picking: {minParticles: 2},
    acquisition: {maxIdleMinutes: 20},
    agents: {maxSilenceSeconds: 300},
    system: {enabled: true, minDiskFreeGB: 100},
  },
})

function sample(freeGB: number): SystemSample {
  return {
    kind: 'systemSample', host: 'gpu-pc', cpuPercent: 10, loadAverage: [1, 1, 1], memoryUsedBytes: GB, memoryTotalBytes: 64 * GB, swapUsedBytes: 0,
    disks: [{path: '/data/out', freeBytes: freeGB * GB, totalBytes: 4000 * GB}], gpus: [], pipeline: {queued: 0, running: 0},
  }
}

describe('monitor service', () => {
  it('stalled acquisition, a silent agent and a full disk fire on the clock and resolve when things move again', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'monitors-'))
    await createProject({projectsDir, name: 'apo', workflow})
    const layout = projectLayout(projectsDir, 'apo')
    const project = await Project.open(layout)
    project.schedule(T)
    let seq = 0
    // Resolves once applied and durable (the agents table is written once per batch).
    const ingest = async (events: AgentEvent[], at: number) => {
      for (const event of events) project.ingest({type: 'event', agentId: 'agent-1', seq: ++seq, at, event}, at)
      await project.durable()
    }
    const service = new MonitorService(project, {log: () => {}})

    await ingest([...sampleMovieEvents('Grid1/m0.tiff'), sample(500)], T)
    expect(service.evaluate(T + MIN)).toEqual({fired: [], resolved: []})

    const quiet = service.evaluate(T + 25 * MIN)
    expect(quiet.fired.map((f) => f.key).sort()).toEqual(['acquisition.stalled', 'agents.silent:agent-1'])
    expect(quiet.fired.find((f) => f.key === 'acquisition.stalled')!.message).toMatch(/no new movie for 25 min \(since .*; threshold 20 min\)/)

    await ingest([...sampleMovieEvents('Grid1/m1.tiff'), sample(50)], T + 26 * MIN)
    const moving = service.evaluate(T + 26 * MIN + 1000)
    expect(moving.resolved.map((a) => a.key).sort()).toEqual(['acquisition.stalled', 'agents.silent:agent-1'])
    // 450 GB used in 26 min: full within minutes at this rate, and below the 100 GB floor.
    expect(moving.fired.map((f) => f.key).sort()).toEqual(['acquisition.diskFull:gpu-pc:/data/out', 'system.disk:gpu-pc:/data/out'])

    await ingest([sample(2000)], T + 27 * MIN) // space freed
    expect(service.evaluate(T + 27 * MIN).resolved.map((a) => a.key).sort()).toEqual(['acquisition.diskFull:gpu-pc:/data/out', 'system.disk:gpu-pc:/data/out'])
    expect(readOpenAlerts(project.db)).toEqual([])
    await service.stop()
    await project.close()

    const reopened = await Project.open(layout, {readOnly: true})
    const stored = rows(reopened.db, 'SELECT monitor, at, resolved_at FROM alerts ORDER BY monitor')
    expect(stored.map((r) => [r.monitor, Number(r.at) - T, Number(r.resolved_at) - T])).toEqual([
      ['acquisition.diskFull:gpu-pc:/data/out', 26 * MIN + 1000, 27 * MIN],
      ['acquisition.stalled', 25 * MIN, 26 * MIN + 1000],
      ['agents.silent:agent-1', 25 * MIN, 26 * MIN + 1000],
      ['system.disk:gpu-pc:/data/out', 26 * MIN + 1000, 27 * MIN],
    ])
    await reopened.close()
  })
})
