// The agent's output disk fills up (a small tmpfs the test mounts; needs root): the movies that
// cannot be written fail with the reason, the agent and the project database stay sound, and
// processing resumes once the disk has room again.
import {mkdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {controllerStatus, ensureBuilt, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {writeSmallMovie} from '../e2e/small-movie.js'
import {mountTmpfs, resizeTmpfs, tmpfsUnavailable} from '../support/tmpfs.js'
import {startFaultSession} from './session.js'

const running: Spawned[] = []
const unmounts: (() => void)[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
  for (const unmount of unmounts) unmount()
})
beforeAll(() => ensureBuilt(), 300_000)

const skip = tmpfsUnavailable()

describe.skipIf(skip !== undefined)(`output disk full${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('fails what cannot be written with the reason, then resumes when space returns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-diskfull-'))
    const data = join(root, 'data')
    const out = join(root, 'out')
    mkdirSync(data)
    mkdirSync(out)
    // 2 MiB: about one 512x512 float32 micrograph and its side files.
    unmounts.push(mountTmpfs(out, '2m'))
    const session = await startFaultSession(root, 'full', {data, out, running})
    const agent = session.startAgent(['--attempts', '1'])
    const first = 4
    for (let i = 0; i < first; i++) await writeSmallMovie(join(data, `full_${i}.mrc`), {frames: 4, seed: 10 + i})
    const ended = (n: number) => async () => {
      const s = await controllerStatus(session.projects, 'full')
      return s.movies.processed + s.movies.failed >= n && s.movies.inFlight === 0 ? s : undefined
    }
    const full = await waitFor('the movies on the full disk to end', ended(first), 240_000, 1000)
    expect(full.movies.failed).toBeGreaterThanOrEqual(1)

    // Room again: new movies are processed.
    resizeTmpfs(out, '64m')
    const later = 2
    for (let i = 0; i < later; i++) await writeSmallMovie(join(data, `later_${i}.mrc`), {frames: 4, seed: 20 + i})
    const after = await waitFor('the movies after space returned to end', ended(first + later), 240_000, 1000)
    expect(agent.child.exitCode, agent.stderr()).toBeNull()
    const rows = await session.stop()
    const failures = rows("SELECT m.movie, s.error FROM movies m JOIN step_runs s ON s.movie_id = m.id WHERE s.state = 'failed'").map((r) => [String(r[0]), String(r[1])])
    const done = rows("SELECT m.movie FROM movies m JOIN step_runs s ON s.movie_id = m.id WHERE s.state = 'done' AND s.step = 'motion'").map((r) => String(r[0]))
    const integrity = rows('PRAGMA integrity_check').map((r) => String(r[0]))
    console.log(`disk full: ${first} movies on a 2 MiB disk -> ${full.movies.processed} processed, ${full.movies.failed} failed; after remount ${after.movies.processed - full.movies.processed} of ${later} processed; reasons: ${[...new Set(failures.map((f) => f[1].slice(0, 120)))].join(' | ')}; alerts: ${after.alerts.map((a) => a.message).join(' | ') || 'none'}`)
    for (const [movie, error] of failures) expect(error, movie).toMatch(/ENOSPC|no space/i)
    // The controller says so: the failures alert names the disk error.
    expect(after.alerts.some((a) => /ENOSPC|no space/i.test(a.message))).toBe(true)
    for (let i = 0; i < later; i++) expect(done).toContain(`later_${i}.mrc`)
    expect(integrity).toEqual(['ok'])
  }, 400_000)
})
