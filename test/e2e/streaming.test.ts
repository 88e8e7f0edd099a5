// Simulator -> agent -> controller as separate processes on loopback: a session survives a
// SIGKILL of the agent and of the controller with every movie processed exactly once and every
// result present; a corrupt movie fails visibly; a bad workflow is refused with the field named.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeSmallMovie} from './small-movie.js'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'
import {controllerStatus, ensureBuilt, runProgram, spawnProgram, startController, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {agentStepsDone} from '../faults/session.js'

const MOVIES = 6
const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})

beforeAll(() => ensureBuilt(), 300_000)

const WORKFLOW_SETTINGS = (dataDir: string, gain?: string) => [
  `acquisition.inputFolder=${dataDir}`,
  ...(gain ? [`acquisition.gainReference=${gain}`] : []),
  'acquisition.pixelSize=1.0',
  'acquisition.dosePerFrame=2.0',
  'picking.diameterMin=120',
  'picking.diameterMax=180',
  'motion.patchesX=1',
  'motion.patchesY=1',
  'preview.size=128',
].flatMap((s) => ['--set', s])

function startAgent(root: string, port: number, token: string): Spawned {
  const agent = spawnProgram('agent', [
    'start',
    '--controller', `ws://127.0.0.1:${port}`,
    '--token', token,
    '--project', 'e2e',
    '--state', join(root, 'agent-state'),
    '--out', join(root, 'out'),
    '--threads', '3',
    '--give-up-ms', '2000',
    '--system-interval', '2000',
    '--log-json',
  ])
  running.push(agent)
  return agent
}

describe('streaming session end to end', () => {
  it('processes every movie exactly once across SIGKILLs of the agent and the controller', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-e2e-'))
    const data = join(root, 'data')
    const projects = join(root, 'projects')
    mkdirSync(projects)
    let controller = await startController(projects)
    running.push(controller)
    const gain = join(data, 'gain_reference.mrc')
    const created = await runProgram('controller', ['create-project', '--name', 'e2e', '--dir', projects, '--json', ...WORKFLOW_SETTINGS(data, gain)])
    expect(created.code, created.stderr).toBe(0)
    const {token} = JSON.parse(created.stdout) as {token: string}
    const scheduled = await runProgram('controller', ['schedule-project', '--name', 'e2e', '--dir', projects])
    expect(scheduled.code, scheduled.stderr).toBe(0)

    let agent = startAgent(root, controller.port, token)
    const simulator = spawnProgram('simulate', [
      '--out', data, '--truth', join(root, 'truth'), '--movies', String(MOVIES), '--size', '512x512', '--frames', '6',
      '--interval', '2', '--write-time', '0.5', '--faults', 'corrupt-header:1', '--bad-fraction', '0', '--seed', '7', '--gain', gain, '--sidecar', 'mdoc',
    ])
    running.push(simulator)

    // SIGKILL the agent once it has finished some steps, then start it again on the same state.
    await waitFor('the agent to finish 3 steps', () => (agentStepsDone(join(root, 'agent-state')) >= 3 ? true : undefined), 120_000)
    agent.child.kill('SIGKILL')
    await agent.exited
    agent = startAgent(root, controller.port, token)

    // SIGKILL the controller mid-session; the agent keeps processing into its outbox and
    // reconnects by itself once the controller is back on the same port.
    await waitFor('the agent to finish 8 steps', () => (agentStepsDone(join(root, 'agent-state')) >= 8 ? true : undefined), 120_000)
    controller.child.kill('SIGKILL')
    await controller.exited
    await waitFor('the agent to finish 10 steps with the controller away', () => (agentStepsDone(join(root, 'agent-state')) >= 10 ? true : undefined), 120_000)
    controller = await startController(projects, {port: controller.port})
    running.push(controller)

    const written = (await simulator.exited).code
    expect(written, simulator.stderr()).toBe(0)
    const movies = simulator.stdout().trim().split('\n').map((l) => JSON.parse(l) as {movie: string; truth: string; fault: string | null})
    expect(movies).toHaveLength(MOVIES)

    const status = await waitFor(
      'every movie to be processed or failed in the controller',
      async () => {
        const s = await controllerStatus(projects, 'e2e')
        return s.movies.processed + s.movies.failed === MOVIES && s.movies.inFlight === 0 ? s : undefined
      },
      240_000,
      1000,
    )
    expect(status.movies).toMatchObject({found: MOVIES, processed: MOVIES - 1, failed: 1})
    // Exactly once: one result per movie and step, none missing, none twice.
    for (const step of ['motion', 'ctf', 'picking', 'preview']) expect(status.steps[step]?.done, step).toBe(MOVIES - 1)
    expect(status.steps.motion?.failed).toBe(1)
    // Every result's files exist on the agent side.
    expect(readdirSync(join(root, 'out', 'motion')).filter((f) => f.endsWith('.mrc'))).toHaveLength(MOVIES - 1)
    agent.child.kill('SIGTERM')
    controller.child.kill('SIGTERM')
    await Promise.all([agent.exited, controller.exited])
    // The .mdoc sidecars reached the controller: each stored nominal defocus is the simulator's (units and sign kept).
    const project = await Project.open(projectLayout(projects, 'e2e'), {readOnly: true})
    const stored = project.db.exec('SELECT m.movie, s.nominal_defocus FROM movie_sidecars s JOIN movies m ON m.id = s.movie_id')[0]?.values ?? []
    expect(stored.length).toBeGreaterThan(0)
    const truthOf = new Map(movies.map((m) => [m.movie, m.truth]))
    for (const [movie, nominal] of stored) {
      const truth = JSON.parse(readFileSync(truthOf.get(String(movie))!, 'utf8')) as {nominalDefocus: number}
      expect(Number(nominal)).toBeCloseTo(truth.nominalDefocus, -1)
    }
  }, 400_000)

  it('agent process: one JSON line per input; a 2D micrograph skips motion; a broken file fails with exit 1', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-e2e-'))
    const movie = join(root, 'movie.mrc')
    await writeSmallMovie(movie, {frames: 6})
    const broken = join(root, 'broken.mrc')
    writeFileSync(broken, 'not an MRC file at all')
    const out = join(root, 'out')
    const first = await runProgram('agent', ['process', movie, broken, '--out', out, '--json', '--threads', '2', ...WORKFLOW_SETTINGS(root)])
    expect(first.code, first.stderr).toBe(1)
    const [ok, failed] = first.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(ok).toMatchObject({input: movie, ok: true, micrograph: join(out, 'motion', 'movie.mrc')})
    expect(ok.motion.shifts).toHaveLength(6)
    expect(ok.motion.shifts[0]).toEqual([0, 0])
    for (const key of ['defocusU', 'defocusV', 'defocusAngle', 'phaseShift', 'resolution', 'figureOfMerit']) expect(typeof ok.ctf[key]).toBe('number')
    expect(ok.picking.coordinates).toHaveLength(ok.picking.count)
    expect(failed).toMatchObject({input: broken, ok: false, error: {step: 'motion'}})

    const second = await runProgram('agent', ['process', ok.micrograph, '--out', join(root, 'again'), '--json', '--steps', 'motion,ctf', ...WORKFLOW_SETTINGS(root)])
    expect(second.code, second.stderr).toBe(0)
    const micrograph = JSON.parse(second.stdout)
    expect(micrograph).toMatchObject({input: ok.micrograph, ok: true, micrograph: ok.micrograph})
    expect(micrograph.motion).toBeUndefined()
    expect(typeof micrograph.ctf.defocusU).toBe('number')
  }, 120_000)

  it('refuses a bad workflow file, naming the field, with exit 2', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-e2e-'))
    const bad = join(root, 'bad.json')
    const template = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'workflows', 'spa-builtin.json'), 'utf8')) as Record<string, Record<string, unknown>>
    template.ctf.defocusMax = -5
    writeFileSync(bad, JSON.stringify(template))
    const movie = join(root, 'm.mrc')
    writeFileSync(movie, 'placeholder')
    const r = await runProgram('agent', ['process', movie, '--out', join(root, 'out'), '--workflow', bad, '--json', ...WORKFLOW_SETTINGS(root)])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('ctf.defocusMax')
    expect(r.stdout).toBe('')
  })
})
