// The controller's projects folder fills up (a small tmpfs the test mounts; needs root) while an
// agent streams results. The controller must raise an alert (status and log), acknowledge nothing
// it could not write (the agent keeps those events in its outbox), keep whole journal lines and
// the old snapshot, resume by itself when space returns, and after a stop on a full disk reload
// the project and get the rest replayed: every movie once, nothing lost.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {listSegments} from '../../controller/project/journal.js'
import {STORAGE_ALERT} from '../../controller/project/storage.js'
import {controlRequest} from '../../controller/server/control-client.js'
import {controllerStatus, ensureBuilt, startController, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {writeSmallMovie} from '../e2e/small-movie.js'
import {fillDisk, mountTmpfs, tmpfsUnavailable} from '../support/tmpfs.js'
import {agentStepsDone, startFaultSession} from './session.js'

const running: Spawned[] = []
const unmounts: (() => void)[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
  unmounts.forEach((unmount) => unmount())
})
beforeAll(() => ensureBuilt(), 300_000)
const skip = tmpfsUnavailable()

const PROJECT = 'cfull'
/** Steps per movie in the fault sessions' workflow: motion, ctf, picking, preview. */
const STEPS = 4

/** The agent's outbox as on disk: acknowledged through which seq, and the newest seq it holds. */
function outbox(stateDir: string): {ackedThrough: number; lastSeq: number} {
  const dir = join(stateDir, 'outbox')
  const acked = existsSync(join(dir, 'acked.json')) ? (JSON.parse(readFileSync(join(dir, 'acked.json'), 'utf8')) as {ackedThrough: number; last: number}) : {ackedThrough: 0, last: 0}
  let lastSeq = acked.last
  for (const line of readFileSync(join(dir, 'outbox.jsonl'), 'utf8').split('\n')) {
    if (line.endsWith('}')) lastSeq = Math.max(lastSeq, (JSON.parse(line) as {seq: number}).seq)
  }
  return {ackedThrough: acked.ackedThrough, lastSeq}
}

/** Every journal line on disk is whole JSON (a torn tail would only be cut off at the next open). */
function expectWholeJournal(projectRoot: string): void {
  for (const {file} of listSegments(join(projectRoot, 'journal'))) {
    const text = readFileSync(file, 'utf8')
    if (text === '') continue
    expect(text.endsWith('\n'), file).toBe(true)
    for (const line of text.slice(0, -1).split('\n')) expect(() => JSON.parse(line), `${file}: ${line.slice(0, 80)}`).not.toThrow()
  }
}

describe.skipIf(skip !== undefined)(`controller projects folder full${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('alerts, acknowledges nothing unwritten, keeps the project sound, and loses nothing once space returns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-ctl-full-'))
    const data = join(root, 'data')
    const state = join(root, 'state')
    const projects = join(root, 'projects')
    mkdirSync(data)
    mkdirSync(projects)
    unmounts.push(mountTmpfs(projects, '16m'))
    const projectRoot = join(projects, PROJECT)
    const filler = join(projects, 'filler')
    // No live report: its builds would load the machine, and its part of the alert is tested in controller/project.
    const session = await startFaultSession(root, PROJECT, {data, out: join(root, 'out'), running, settings: ['report.enabled=false']})
    const agent = session.startAgent()
    let controller: Spawned = session.controller
    let movies = 0
    const addMovies = async (prefix: string, n: number) => {
      for (let i = 0; i < n; i++) await writeSmallMovie(join(data, `${prefix}_${i}.mrc`), {size: 256, frames: 4, seed: 40 + movies++})
    }
    // Polled in-process, as `controller status` asks a running controller: a CLI process per poll would load the machine.
    const status = () => controlRequest(projects, PROJECT, 'status').catch(() => undefined)
    const storageAlert = async () => (await status())?.alerts.find((a) => a.monitor === STORAGE_ALERT)
    const noStorageAlert = async () => {
      const s = await status()
      return s && !s.alerts.some((a) => a.monitor === STORAGE_ALERT) ? true : undefined
    }
    const allEnded = async () => {
      const s = await status()
      return s && s.movies.processed + s.movies.failed >= movies && s.movies.inFlight === 0 ? s : undefined
    }
    const ackedThrough = (seq: number) => () => (outbox(state).ackedThrough >= seq ? true : undefined)
    const agentFinished = () => {
      const steps = STEPS * movies
      return waitFor(`the agent to finish ${movies} movies`, () => (agentStepsDone(state) >= steps ? true : undefined), 120_000, 500)
    }

    const run = async () => {
      await addMovies('before', 1)
      await waitFor('the first movie', allEnded, 120_000, 1000)

      // 1. The disk fills while the agent goes on: an alert, and what arrives is held, not acknowledged.
      fillDisk(filler)
      await addMovies('during', 1)
      await agentFinished()
      const alert = await waitFor('the storage alert', storageAlert, 60_000, 1000)
      expect(alert).toMatchObject({severity: 'critical', message: expect.stringMatching(/projects disk is full: .*no space left \(ENOSPC\).*nothing new is acknowledged/)})
      expect((await controllerStatus(projects, PROJECT)).alerts).toContainEqual(expect.objectContaining({message: alert.message}))
      const held = outbox(state)
      expect(held.ackedThrough).toBeLessThan(held.lastSeq)
      expect(controller.child.exitCode).toBeNull()
      expect(controller.stderr()).toMatch(/error .*projects disk is full/)
      expectWholeJournal(projectRoot)

      // 2. Space returns: the held events are written and acknowledged, the alert resolves, no restart.
      rmSync(filler)
      await waitFor('the held events to be acknowledged', ackedThrough(held.lastSeq), 60_000, 500)
      await waitFor('the storage alert to resolve', noStorageAlert, 60_000, 1000)
      const resumed = await waitFor('the movies of the full disk', allEnded, 120_000, 1000)
      expect(resumed.movies).toMatchObject({processed: movies, failed: 0})
      expect(controller.stderr()).toMatch(/the projects disk takes writes again/)

      // 3. Full again, and the controller stopped so: no snapshot can be written, the old one stays.
      fillDisk(filler)
      await addMovies('stopped', 1)
      await agentFinished()
      await waitFor('the storage alert again', storageAlert, 60_000, 1000)
      const snapshotBefore = readFileSync(join(projectRoot, 'project.sqlite'))
      const heldAtStop = outbox(state)
      expect(heldAtStop.ackedThrough).toBeLessThan(heldAtStop.lastSeq)
      controller.child.kill('SIGTERM')
      await controller.exited
      expect(controller.stderr()).toMatch(/closed with \d+ records unwritten/)
      expect(readFileSync(join(projectRoot, 'project.sqlite')).equals(snapshotBefore)).toBe(true)
      expect(readdirSync(projectRoot).filter((f) => f.endsWith('.tmp'))).toEqual([])
      expectWholeJournal(projectRoot)

      // 4. Space returns and the controller restarts: the project loads, the agent replays the rest.
      rmSync(filler)
      controller = await startController(projects, {port: session.controller.port})
      running.push(controller)
      await waitFor('the replayed events to be acknowledged', ackedThrough(heldAtStop.lastSeq), 120_000, 500)
      const final = await waitFor('every movie after the restart', allEnded, 120_000, 1000)
      expect(final.alerts.map((a) => a.monitor)).not.toContain(STORAGE_ALERT)
      expect(agent.child.exitCode).toBeNull()
      controller.child.kill('SIGTERM')
      await controller.exited
      const query = await session.stop()
      const integrity = query('PRAGMA integrity_check').map((r) => String(r[0]))
      const names = query('SELECT movie FROM movies ORDER BY movie').map((r) => String(r[0]))
      const doneSteps = Number(query("SELECT count(*) FROM step_runs WHERE state = 'done'")[0][0])
      const storageAlerts = query(`SELECT count(*), count(resolved_at) FROM alerts WHERE monitor = '${STORAGE_ALERT}'`)[0].map(Number)
      console.log(`controller disk full: ${movies} movies, ${final.movies.processed} processed, ${final.movies.failed} failed; ` +
        `held ${held.lastSeq - held.ackedThrough} events while full (live), ${heldAtStop.lastSeq - heldAtStop.ackedThrough} at the stop; ` +
        `storage alerts ${storageAlerts[0]} (${storageAlerts[1]} resolved); integrity ${integrity.join(',')}`)
      expect(integrity).toEqual(['ok'])
      expect(names).toEqual(['before_0.mrc', 'during_0.mrc', 'stopped_0.mrc'])
      expect(final.movies).toMatchObject({processed: movies, failed: 0})
      expect(doneSteps).toBe(STEPS * movies)
      expect(storageAlerts[0]).toBeGreaterThanOrEqual(1)
      expect(storageAlerts[1]).toBe(storageAlerts[0])
    }
    // What the processes said, when a wait runs out: the machine is shared and slow, or something broke.
    const said = (error: Error) => {
      error.message += `\n--- agent stderr (tail)\n${agent.stderr().slice(-3000)}\n--- controller stderr (tail)\n${controller.stderr().slice(-3000)}`
      throw error
    }
    await run().catch(said)
  }, 600_000)
})
