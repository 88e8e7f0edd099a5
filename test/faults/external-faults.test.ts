// An external motion program (the fake MotionCor2, fixtures/external/bin) misbehaving in a real
// session (controller + `agent start`): it crashes, hangs past the step's timeout, prints no
// shifts or writes no micrograph. Each such movie is retried as configured, then failed with the
// reason in the project; the good movies around them are processed and the session goes on.
import {mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {controllerStatus, ensureBuilt, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {fake} from '../../agent/steps/external/test-support.js'
import {writeSmallMovie} from '../e2e/small-movie.js'
import {startFaultSession} from './session.js'

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
  delete process.env.FAKE_MC2_FAIL_BY_INPUT
})
beforeAll(() => ensureBuilt(), 300_000)

const RETRIES = 1
const TIMEOUT_S = 3
// Movie name part -> the fake's failure mode, and what the failure reason must say.
const FAULTS: Record<string, {mode: string; reason: RegExp}> = {
  crash_: {mode: 'crash', reason: /killed by SIGSEGV/},
  hang_: {mode: 'hang', reason: new RegExp(`timed out after ${TIMEOUT_S} s`)},
  garbage_: {mode: 'no-shifts', reason: /no "Full-frame alignment shift" table/},
  nooutput_: {mode: 'no-output', reason: /exited 0 but did not write/},
}

describe('external program faults in a session', () => {
  it('retries crash, hang, garbage and no output, fails each movie with the reason, and processes the good ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-extfaults-'))
    const data = join(root, 'data')
    mkdirSync(data)
    process.env.FAKE_MC2_FAIL_BY_INPUT = JSON.stringify(Object.fromEntries(Object.entries(FAULTS).map(([part, f]) => [part, f.mode])))
    const session = await startFaultSession(root, 'ext', {
      data, out: join(root, 'out'), running,
      settings: ['motion.program=motioncor2', `motion.executable=${fake('MotionCor2')}`, 'motion.gpus=[0]', `motion.retries=${RETRIES}`,
        'motion.retryBackoffSeconds=0', `motion.timeoutSeconds=${TIMEOUT_S}`],
    })
    const agent = session.startAgent(['--gpus', '0'])
    // Good movies interleaved with the faulty ones: the session must go on after each fault.
    const names = ['good_0', ...Object.keys(FAULTS).flatMap((part, i) => [`${part}0`, `good_${i + 1}`])]
    for (const [i, name] of names.entries()) await writeSmallMovie(join(data, `${name}.mrc`), {size: 256, frames: 4, seed: 30 + i})
    const started = Date.now()
    let last: unknown
    const status = await waitFor('every movie to end', async () => {
      const s = await controllerStatus(session.projects, 'ext')
      last = s
      return s.movies.processed + s.movies.failed >= names.length && s.movies.inFlight === 0 ? s : undefined
    }, 80_000, 1000).catch((e: Error) => {
      throw new Error(`${e.message}; last status ${JSON.stringify(last)}; agent output: ${agent.stdout().slice(-2000)} ${agent.stderr().slice(-2000)}`)
    })
    const seconds = (Date.now() - started) / 1000
    expect(agent.child.exitCode, agent.stderr()).toBeNull()
    const rows = await session.stop()
    const runs = rows("SELECT m.movie, s.state, s.attempt, s.error FROM movies m JOIN step_runs s ON s.movie_id = m.id WHERE s.step = 'motion'")
      .map((r) => ({movie: String(r[0]), state: String(r[1]), attempt: Number(r[2]), error: String(r[3] ?? '')}))
    const faulty = Object.keys(FAULTS).length
    console.log(`external faults: ${names.length} movies (${faulty} faulty, retries ${RETRIES}, timeout ${TIMEOUT_S} s) ended in ${seconds.toFixed(1)} s: ` +
      `${status.movies.processed} processed, ${status.movies.failed} failed; ` +
      runs.filter((r) => r.state === 'failed').map((r) => `${r.movie} attempt ${r.attempt}: ${r.error.slice(0, 100)}`).join(' | '))
    expect(status.movies).toMatchObject({found: names.length, processed: names.length - faulty, failed: faulty})
    for (const [part, {reason}] of Object.entries(FAULTS)) {
      const run = runs.find((r) => r.movie === `${part}0.mrc`)
      expect(run, part).toMatchObject({state: 'failed', attempt: RETRIES + 1})
      expect(run!.error, part).toMatch(reason)
    }
    for (const r of runs.filter((r) => r.movie.startsWith('good_'))) expect(r, r.movie).toMatchObject({state: 'done'})
  }, 240_000)
})
