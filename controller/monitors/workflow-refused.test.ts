// An agent's workflowStatus events on a real project: a refusal raises a critical alert (even
// before any movie arrived), an acceptance of the same revision resolves it, and both survive a reopen.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {WorkflowStatus} from '../../core/protocol/index.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {rows} from '../project/queries.js'
import {readOpenAlerts} from './read.js'
import {MonitorService} from './service.js'

const T = 1_760_000_000_000
const workflow = validateWorkflow({acquisition: {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1}})
const reason = 'step motion needs 1 GPU(s) but the agent has 0 of them (start the agent with --gpus)'

describe('workflow refused by an agent', () => {
  it('raises a critical alert naming the step and reason, resolved once the agent accepts', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'refused-'))
    await createProject({projectsDir, name: 'apo', workflow})
    const layout = projectLayout(projectsDir, 'apo')
    const project = await Project.open(layout)
    project.schedule(T)
    project.agentConnected('agent-1', 'gpu-pc', '0.1.0', T)
    let seq = 0
    const report = async (status: Omit<WorkflowStatus, 'kind'>, at: number) => {
      project.ingest({type: 'event', agentId: 'agent-1', seq: ++seq, at, event: {kind: 'workflowStatus', ...status}}, at)
      await project.durable()
    }
    const service = new MonitorService(project, {log: () => {}})

    await report({revision: 1, accepted: false, step: 'motion', reason}, T + 1000)
    const refused = service.evaluate(T + 2000)
    expect(refused.fired).toEqual([expect.objectContaining({
      key: 'agents.workflowRefused:agent-1', severity: 'critical', since: T + 1000,
      message: `Agent agent-1 on gpu-pc refused workflow revision 1 and processes nothing: ${reason}`,
    })])
    expect(service.evaluate(T + 3000)).toEqual({fired: [], resolved: []})

    await report({revision: 1, accepted: true}, T + 4000)
    expect(service.evaluate(T + 5000).resolved.map((a) => a.key)).toEqual(['agents.workflowRefused:agent-1'])
    expect(readOpenAlerts(project.db)).toEqual([])
    await service.stop()
    await project.close()

    const reopened = await Project.open(layout, {readOnly: true})
    expect(rows(reopened.db, 'SELECT agent_id, revision, accepted FROM agent_workflows')).toEqual([{agent_id: 'agent-1', revision: 1, accepted: 1}])
    const stored = rows(reopened.db, 'SELECT monitor, severity, at, resolved_at FROM alerts')
    expect(stored.map((r) => [r.monitor, r.severity, Number(r.at) - T, Number(r.resolved_at) - T])).toEqual([['agents.workflowRefused:agent-1', 'critical', 2000, 5000]])
    await reopened.close()
  })
})
