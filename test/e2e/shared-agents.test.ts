// Two shared agents (`agent start --shared`) on one session folder, one seeing it under another
// mount path (--path-map), the first SIGKILLed mid-session: every movie is processed once in the
// project (one row, results from one agent), the dead agent's leased movies go to the survivor,
// and while both live the work is split between them.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {fake} from '../../agent/steps/external/test-support.js'
import {controllerStatus, ensureBuilt, spawnProgram, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {startFaultSession} from '../faults/session.js'
import {writeSmallMovie} from './small-movie.js'

const MOVIES = 10
const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

/** Movies an agent was leased and took (in its state), and those it finished. */
function agentMovies(stateDir: string): {taken: Set<string>; ended: Set<string>} {
  const taken = new Set<string>()
  const ended = new Set<string>()
  let text = ''
  try {
    text = readFileSync(join(stateDir, 'movies.jsonl'), 'utf8')
  } catch {
    return {taken, ended}
  }
  for (const line of text.split('\n')) {
    let r: {t: string; id?: string; movie?: {id: string}}
    try {
      r = JSON.parse(line)
    } catch {
      continue // empty, or the line being written
    }
    if (r.t === 'movie') taken.add(r.movie!.id)
    if (r.t === 'movie-done' || r.t === 'movie-failed') ended.add(r.id!)
  }
  return {taken, ended}
}

describe.skipIf(process.platform !== 'linux')('two shared agents on one session', () => {
  it(`${MOVIES} movies, one agent SIGKILLed: each processed once, its leases go to the survivor`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-shared-'))
    const data = join(root, 'data')
    const staging = join(root, 'staging')
    mkdirSync(data)
    mkdirSync(staging)
    // b sees the share as another mount.
    const mountB = join(root, 'mnt-b')
    symlinkSync(data, mountB)
    for (let i = 0; i < MOVIES; i++) await writeSmallMovie(join(staging, `shared_${String(i).padStart(3, '0')}.mrc`), {seed: i + 1, size: 128, frames: 3})

    // Short leases so that the dead agent's movies move within the test: the grace counts from its disconnect.
    process.env.EMSTREAM_LEASE_SECONDS = '10'
    process.env.EMSTREAM_LEASE_GRACE_SECONDS = '2'
    const session = await startFaultSession(root, 'shared', {
      data, out: join(root, 'out'), running,
      // The fake MotionCor2 and CTFFIND keep each movie's work small: this is about who processes what.
      settings: ['picking.enabled=false', 'preview.enabled=false', 'motion.program=motioncor2', `motion.executable=${fake('MotionCor2')}`,
        'motion.gpus=[0]', 'resources.allowGpuSharing=true', 'ctf.program=ctffind', `ctf.executable=${fake('ctffind')}`],
    })
    delete process.env.EMSTREAM_LEASE_SECONDS
    delete process.env.EMSTREAM_LEASE_GRACE_SECONDS
    const startAgent = (id: string, extra: string[] = []) => {
      const agent = spawnProgram('agent', [
        'start', '--controller', `ws://127.0.0.1:${session.controller.port}`, '--token', session.token, '--project', 'shared',
        '--agent-id', id, '--state', join(root, `state-${id}`), '--out', join(root, `out-${id}`), '--threads', '2', '--gpus', '0',
        '--shared', '--slots', '2', '--give-up-ms', '1500', '--system-interval', '1000', '--log-json', ...extra,
      ])
      running.push(agent)
      return agent
    }
    const a = startAgent('a')
    const b = startAgent('b', ['--path-map', `${data}=${mountB}`])
    for (const agent of [a, b]) await waitFor('both agents to watch', () => (/"watching /.test(agent.stderr()) ? true : undefined), 60_000)
    expect(b.stderr()).toContain(`watching ${mountB}`)
    const started = Date.now()
    for (const name of readdirSync(staging)) renameSync(join(staging, name), join(data, name))

    // Kill a once it has finished some movies and holds at least one unfinished lease.
    const stateA = join(root, 'state-a')
    const atDeath = await waitFor('agent a to be mid-work', () => {
      const {taken, ended} = agentMovies(stateA)
      const open = [...taken].filter((m) => !ended.has(m))
      return ended.size >= 2 && open.length >= 1 ? open : undefined
    }, 120_000, 20)
    a.child.kill('SIGKILL')
    await a.exited
    const killedAfter = (Date.now() - started) / 1000
    const endedByBWhileBoth = agentMovies(join(root, 'state-b')).ended.size
    const {ended: endedByA} = agentMovies(stateA)
    const openAtDeath = [...agentMovies(stateA).taken].filter((m) => !endedByA.has(m))
    expect(openAtDeath.length).toBeGreaterThanOrEqual(1)
    expect(openAtDeath).toEqual(expect.arrayContaining(atDeath.filter((m) => !endedByA.has(m))))

    let last: unknown
    await waitFor('every movie to end', async () => {
      const s = await controllerStatus(session.projects, 'shared')
      last = s.movies
      return s.movies.processed + s.movies.failed >= MOVIES && s.movies.inFlight === 0 ? s : undefined
    }, 180_000, 500).catch((e: Error) => {
      throw new Error(`${e.message}; last ${JSON.stringify(last)}; b: ${b.stderr().split('\n').filter((l) => /error|warn/i.test(l)).slice(-6).join(' / ')}`)
    })
    const allEndedAfter = (Date.now() - started) / 1000
    b.child.kill('SIGTERM')
    await b.exited
    const rows = await session.stop()
    const one = (sql: string) => Number(rows(sql)[0]?.[0] ?? 0)

    const leases = rows('SELECT movie, agent_id, grants FROM leases ORDER BY movie') as [string, string, number][]
    const regranted = leases.filter(([, , grants]) => grants >= 2)
    const split = {a: leases.filter(([, agent]) => agent === 'a').length, b: leases.filter(([, agent]) => agent === 'b').length}
    const movies = one('SELECT count(*) FROM movies')
    const processed = one("SELECT count(*) FROM movies WHERE state = 'done'")
    const micrographs = one('SELECT count(*) FROM micrographs')
    const ctf = one('SELECT count(*) FROM ctf')
    // Results of a movie all come from the agent holding its lease.
    const foreignRuns = one('SELECT count(*) FROM step_runs r JOIN movies m ON m.id = r.movie_id JOIN leases l ON l.movie = m.movie WHERE r.agent_id != l.agent_id OR m.agent_id != l.agent_id')
    const sharedPaths = one(`SELECT count(*) FROM movies WHERE path LIKE '${data}/%'`)
    const redone = [...endedByA].filter((m) => regranted.some(([movie]) => movie === m)).length
    console.log(`shared agents: ${MOVIES} movies -> ${processed} processed in ${allEndedAfter.toFixed(1)} s; while both lived (${killedAfter.toFixed(1)} s) ` +
      `a finished ${endedByA.size}, b ${endedByBWhileBoth}; final lease holders a ${split.a}, b ${split.b}; ` +
      `a killed holding ${openAtDeath.length} unfinished (${openAtDeath.join(', ')}), re-leased to b: ${regranted.length} ` +
      `(of them ${redone} a had finished locally but not yet reported); movie rows ${movies}, micrographs ${micrographs}, ctf ${ctf}`)
    expect({movies, processed, micrographs, ctf, leases: leases.length, foreignRuns, sharedPaths}).toEqual({
      movies: MOVIES, processed: MOVIES, micrographs: MOVIES, ctf: MOVIES, leases: MOVIES, foreignRuns: 0, sharedPaths: MOVIES,
    })
    expect(split.a).toBeGreaterThanOrEqual(1)
    expect(split.b).toBeGreaterThanOrEqual(1)
    expect(regranted.every(([, agent]) => agent === 'b')).toBe(true)
    expect(regranted.map(([movie]) => movie)).toEqual(expect.arrayContaining(openAtDeath))
  }, 400_000)
})
