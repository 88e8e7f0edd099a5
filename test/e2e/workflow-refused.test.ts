// A workflow needing GPUs (workflows/spa-motioncor2-ctffind-gpu.json) sent to an agent started
// without --gpus, as separate processes on loopback: the agent refuses it and the controller
// shows a critical alert naming the step and the reason in `controller status` and in the
// report's data; the agent restarted with --gpus accepts it and the alert resolves.
import {mkdirSync, mkdtempSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'
import {readReportData} from '../../controller/report/read-project.js'
import {writeMrc} from '../../core/formats/mrc-write.js'
import {fake} from '../../agent/steps/external/test-support.js'
import {controllerStatus, ensureBuilt, runProgram, spawnProgram, startController, waitFor, type Spawned} from '../../scripts/demo/processes.js'

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

const AGENT = 'krios-gpu-pc'
const ALERT = `agents.workflowRefused:${AGENT}`
const REASON = 'step motion needs 1 GPU(s) of its ids 0 but the agent has 0 of them (start the agent with --gpus)'
// Generous: the monitors run every 5 s and a shared 2-core machine may be slow to start processes.
const WAIT_MS = 120_000

describe('an agent without GPUs given a GPU workflow', () => {
  it('refuses it with an alert the controller shows, resolved once restarted with --gpus', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-refused-'))
    const [projects, data] = [join(root, 'projects'), join(root, 'data')]
    for (const dir of [projects, data]) mkdirSync(dir, {recursive: true})
    const gain = join(root, 'gain.mrc')
    await writeMrc(gain, [new Float32Array(64 * 64).fill(1)], {width: 64, height: 64, pixelSize: 1})
    const controller = await startController(projects)
    running.push(controller)
    const created = await runProgram('controller', [
      'create-project', '--name', 'gpu', '--dir', projects, '--json', '--workflow', 'spa-motioncor2-ctffind-gpu',
      ...[`acquisition.inputFolder=${data}`, `acquisition.gainReference=${gain}`, 'acquisition.pixelSize=1', 'acquisition.dosePerFrame=2',
        'picking.diameterMin=120', 'picking.diameterMax=180', `motion.executable=${fake('MotionCor2')}`, `ctf.executable=${fake('ctffind')}`,
      ].flatMap((s) => ['--set', s]),
    ])
    expect(created.code, created.stderr).toBe(0)
    const {token} = JSON.parse(created.stdout) as {token: string}
    expect((await runProgram('controller', ['schedule-project', '--name', 'gpu', '--dir', projects])).code).toBe(0)
    const startAgent = (extra: string[]) => {
      const agent = spawnProgram('agent', [
        'start', '--controller', `ws://127.0.0.1:${controller.port}`, '--token', token, '--project', 'gpu', '--agent-id', AGENT,
        '--state', join(root, 'state'), '--out', join(root, 'out'), '--threads', '2', '--system-interval', '1000', '--log-json', ...extra,
      ])
      running.push(agent)
      return agent
    }
    const openAlert = async () => (await controllerStatus(projects, 'gpu')).alerts.find((a) => (a as {monitor?: string}).monitor === ALERT)

    const without = startAgent([])
    const alert = await waitFor('the refusal alert', openAlert, WAIT_MS, 500)
    expect(alert).toMatchObject({severity: 'critical', message: `Agent ${AGENT} on ${hostname()} refused workflow revision 1 and processes nothing: ${REASON}`})
    expect(without.child.exitCode).toBeNull() // refused, not crashed
    expect(without.stderr()).toContain(`workflow revision 1 refused: ${REASON}`)
    const text = await runProgram('controller', ['status', '--name', 'gpu', '--dir', projects])
    expect(text.stdout).toMatch(new RegExp(`ALERT critical .* \\[${ALERT}\\] .*${escape(REASON)}`))

    without.child.kill('SIGTERM')
    await without.exited
    const withGpu = startAgent(['--gpus', '0'])
    await waitFor('the alert to resolve', async () => ((await openAlert()) === undefined ? true : undefined), WAIT_MS, 500)
    expect(withGpu.stderr()).toMatch(/workflow revision 1: motion -> ctf -> picking -> preview/)

    for (const p of [withGpu, controller]) p.child.kill('SIGTERM')
    await Promise.all([withGpu.exited, controller.exited])
    const project = await Project.open(projectLayout(projects, 'gpu'), {readOnly: true})
    try {
      const {data: report} = readReportData(project.db, {name: 'gpu', workflow: project.workflow().workflow})
      const reported = report.alerts.filter((a) => a.monitor === ALERT)
      expect(reported).toHaveLength(1)
      expect(reported[0]).toMatchObject({severity: 'critical', message: expect.stringContaining(REASON)})
      expect(reported[0].resolvedAt).toBeGreaterThan(reported[0].at)
    } finally {
      await project.close()
    }
  }, 2 * WAIT_MS + 120_000)
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
