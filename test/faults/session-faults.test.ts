// One simulated session through every transport fault, as separate processes on loopback:
// the agent SIGKILLed at seeded random moments and restarted, then the controller, then the
// network between them cut (a TCP proxy the test controls) while more movies arrive. At the end
// every movie is in the controller exactly once: no loss, no duplicate row.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import initSqlJs from 'sql.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createRng} from '../../scripts/simulator/rng.js'
import {controllerStatus, ensureBuilt, runProgram, spawnProgram, startController, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {agentStepsDone, workflowSettings} from './session.js'
import {TcpProxy} from './tcp-proxy.js'

const SEED = Number(process.env.FAULTS_SEED ?? 8)
const FIRST_BATCH = Number(process.env.FAULTS_MOVIES ?? 40)
const LATE_BATCH = Number(process.env.FAULTS_LATE ?? 10)
const AGENT_KILLS = Number(process.env.FAULTS_KILLS ?? 10)
const CONTROLLER_KILLS = AGENT_KILLS
const CUT_MS = Number(process.env.FAULTS_CUT_S ?? 60) * 1000
const STEPS = ['motion', 'ctf', 'picking', 'preview']

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('session faults', () => {
  it(`${AGENT_KILLS} agent SIGKILLs, ${CONTROLLER_KILLS} controller SIGKILLs and a network cut: every movie once`, async () => {
    const rng = createRng(SEED, 'fault-moments')
    const root = mkdtempSync(join(tmpdir(), 'emstream-faults-'))
    const data = join(root, 'data')
    const projects = join(root, 'projects')
    const stateDir = join(root, 'agent-state')
    mkdirSync(projects)
    let controller = await startController(projects)
    running.push(controller)
    const proxy = new TcpProxy(() => controller.port)
    await proxy.listen()
    const created = await runProgram('controller', ['create-project', '--name', 'faults', '--dir', projects, '--json', ...workflowSettings(data)])
    expect(created.code, created.stderr).toBe(0)
    const {token} = JSON.parse(created.stdout) as {token: string}
    expect((await runProgram('controller', ['schedule-project', '--name', 'faults', '--dir', projects])).code).toBe(0)

    let agentStarts = 0
    const startAgent = () => {
      agentStarts++
      const agent = spawnProgram('agent', [
        'start', '--controller', `ws://127.0.0.1:${proxy.port}`, '--token', token, '--project', 'faults', '--state', stateDir,
        '--out', join(root, 'out'), '--threads', '2', '--give-up-ms', '2000', '--system-interval', '1000', '--log-json',
      ])
      running.push(agent)
      return agent
    }
    const simulate = (out: string, movies: number, seed: number) => {
      const s = spawnProgram('simulate', [
        '--out', out, '--truth', join(root, `truth-${seed}`), '--gain', join(root, `gain-${seed}.mrc`), '--movies', String(movies),
        '--size', '512x512', '--frames', '4', '--interval', '0.3', '--write-time', '0.1', '--bad-fraction', '0', '--seed', String(seed),
      ])
      running.push(s)
      return s
    }
    /** Waits for the agent to finish one more step, then a seeded random moment within 1.5 s. */
    const randomMomentAfterProgress = async (what: string) => {
      const before = agentStepsDone(stateDir)
      // An agent that died on its own (not killed by the test) is a finding: say so, with its last words.
      const agentTail = () => `agent exit ${agent.child.exitCode ?? '-'} signal ${agent.child.signalCode ?? '-'}; its stderr ends: ${agent.stderr().slice(-3000)}`
      await waitFor(
        `${what}: the agent to finish another step`,
        () => {
          if (agent.child.exitCode !== null || agent.child.signalCode !== null) throw new Error(`${what}: the agent died unasked (${agentTail()})`)
          return agentStepsDone(stateDir) > before ? true : undefined
        },
        120_000,
        100,
      ).catch((error: Error) => {
        throw new Error(`${error.message} [${agentTail()}]`)
      })
      await pause(rng.uniform(0, 1500))
    }

    // Both batches are written aside first and moved in as the session goes: the first a few
    // movies before each kill, so every kill falls while there is work (however fast the machine),
    // the late one during the network cut.
    const firstStaging = join(root, 'staging-first')
    const staging = join(root, 'staging')
    const firstBatch = simulate(firstStaging, FIRST_BATCH, SEED)
    const lateBatch = simulate(staging, LATE_BATCH, SEED + 1)
    expect((await firstBatch.exited).code, firstBatch.stderr()).toBe(0)
    const waiting = readdirSync(firstStaging).filter((f) => f.endsWith('.mrc')).sort()
    expect(waiting).toHaveLength(FIRST_BATCH)
    const perKill = Math.max(1, Math.floor(FIRST_BATCH / (AGENT_KILLS + CONTROLLER_KILLS)))
    const moveIn = (count: number) => {
      for (const name of waiting.splice(0, count)) renameSync(join(firstStaging, name), join(data, name))
    }
    mkdirSync(data, {recursive: true})

    let agent = startAgent()
    // Agent SIGKILLs, each at a random moment while it is processing.
    for (let k = 0; k < AGENT_KILLS; k++) {
      moveIn(perKill)
      await randomMomentAfterProgress(`agent kill ${k + 1}`)
      agent.child.kill('SIGKILL')
      await agent.exited
      agent = startAgent()
    }
    // Controller SIGKILLs: it restarts on the same port; the agent reconnects and replays.
    for (let k = 0; k < CONTROLLER_KILLS; k++) {
      moveIn(perKill)
      await randomMomentAfterProgress(`controller kill ${k + 1}`)
      controller.child.kill('SIGKILL')
      await controller.exited
      controller = await startController(projects, {port: controller.port})
      running.push(controller)
    }
    moveIn(waiting.length)
    expect((await lateBatch.exited).code, lateBatch.stderr()).toBe(0)

    // Network cut: the agent keeps processing the movies that arrive meanwhile, into its outbox.
    const cutAt = Date.now()
    await proxy.cut()
    const stepsAtCut = agentStepsDone(stateDir)
    for (const name of readdirSync(staging).filter((f) => f.endsWith('.mrc'))) renameSync(join(staging, name), join(data, `late_${name}`))
    await waitFor('the agent to process movies during the cut', () => (agentStepsDone(stateDir) >= stepsAtCut + STEPS.length ? true : undefined), CUT_MS, 200)
    await pause(Math.max(0, CUT_MS - (Date.now() - cutAt)))
    const stepsDuringCut = agentStepsDone(stateDir) - stepsAtCut
    const cutSeconds = (Date.now() - cutAt) / 1000
    await proxy.restore()

    const movies = FIRST_BATCH + LATE_BATCH
    const status = await waitFor(
      'every movie to be processed in the controller',
      async () => {
        const s = await controllerStatus(projects, 'faults')
        return s.movies.processed + s.movies.failed === movies && s.movies.inFlight === 0 ? s : undefined
      },
      240_000,
      1000,
    )
    agent.child.kill('SIGTERM')
    controller.child.kill('SIGTERM')
    await Promise.all([agent.exited, controller.exited])
    await proxy.cut()

    // Straight from the project database the controller left behind (its snapshot after SIGTERM).
    const SQL = await initSqlJs()
    const db = new SQL.Database(readFileSync(join(projects, 'faults', 'project.sqlite')))
    const one = (sql: string) => Number(db.exec(sql)[0]?.values[0]?.[0] ?? 0)
    const movieRows = one('SELECT count(*) FROM movies')
    const distinctMovies = one('SELECT count(DISTINCT movie) FROM movies')
    const resultRows = ['micrographs', 'ctf', 'particles', 'previews'].map((t) => one(`SELECT count(*) FROM ${t}`))
    const doneRuns = one("SELECT count(*) FROM step_runs WHERE state = 'done'")
    const reruns = one('SELECT count(*) FROM step_runs WHERE attempt > 1')
    db.close()
    const losses = movies - distinctMovies + STEPS.length * movies - doneRuns
    const duplicates = movieRows - distinctMovies + resultRows.reduce((n, r) => n + Math.max(0, r - movies), 0)
    console.log(
      `session faults (seed ${SEED}): agent runs ${agentStarts}, agent kills ${AGENT_KILLS}, controller kills ${CONTROLLER_KILLS}, ` +
        `network cut ${cutSeconds.toFixed(1)} s (${stepsDuringCut} steps finished during it), movies ${movies}, ` +
        `result rows ${resultRows.join('/')}, steps rerun after a kill ${reruns}, losses ${losses}, duplicates ${duplicates}`,
    )
    expect(status.movies).toMatchObject({found: movies, processed: movies, failed: 0})
    for (const step of STEPS) expect(status.steps[step], step).toMatchObject({done: movies, failed: 0})
    expect({movieRows, distinctMovies, resultRows, doneRuns}).toEqual({movieRows: movies, distinctMovies: movies, resultRows: STEPS.map(() => movies), doneRuns: STEPS.length * movies})
    expect(losses).toBe(0)
    expect(duplicates).toBe(0)
    expect(stepsDuringCut).toBeGreaterThanOrEqual(STEPS.length)
    // Every result's micrograph exists on the agent side, once.
    const micrographs = readdirSync(join(root, 'out', 'motion'), {recursive: true}).filter((f) => String(f).endsWith('.mrc'))
    expect(micrographs).toHaveLength(movies)
  }, 600_000)
})
