// 500 tiny movies appear in the watched folder at once (a backlog moved in by one rename each):
// every one is processed exactly once, and the agent's open file descriptors and RSS, sampled
// from /proc during the run, stay bounded.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {writeMrc} from '../../core/formats/mrc-write.js'
import {createRng} from '../../scripts/simulator/rng.js'
import {controllerStatus, ensureBuilt, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {fake} from '../../agent/steps/external/test-support.js'
import {startFaultSession} from './session.js'

// 100 keeps CI under a minute on 2 cores (2.7 movies/s there); BACKLOG_MOVIES=500 is the full burst.
const MOVIES = Number(process.env.BACKLOG_MOVIES ?? 100)
const SIZE = 128
const FRAMES = 3
const MAX_FDS = 200
const MAX_RSS_MIB = 1024

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

/** Open fds and RSS (MiB) of a live process, from /proc. */
function sampleProcess(pid: number): {fds: number; rssMiB: number} | undefined {
  try {
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    return {fds: readdirSync(`/proc/${pid}/fd`).length, rssMiB: rssKiB / 1024}
  } catch {
    return undefined // exited between the two reads
  }
}

async function writeNoiseMovies(dir: string, count: number): Promise<void> {
  const rng = createRng(5, 'backlog')
  for (let i = 0; i < count; i++) {
    const frames = Array.from({length: FRAMES}, () => Float32Array.from({length: SIZE * SIZE}, () => rng.uniform(0, 2)))
    await writeMrc(join(dir, `backlog_${String(i).padStart(4, '0')}.mrc`), frames, {width: SIZE, height: SIZE, pixelSize: 1})
  }
}

describe.skipIf(process.platform !== 'linux')('a backlog of movies appearing at once', () => {
  it(`${MOVIES} movies: each processed once, fds and RSS bounded`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-backlog-'))
    const data = join(root, 'data')
    const staging = join(root, 'staging')
    mkdirSync(data)
    mkdirSync(staging)
    await writeNoiseMovies(staging, MOVIES)
    const session = await startFaultSession(root, 'backlog', {
      data, out: join(root, 'out'), running, // The fake MotionCor2 and CTFFIND (fixtures/external/bin) keep the per-movie work small: this is
      // about the agent's queueing and file handling under a burst, not the kernels' speed.
      settings: ['picking.enabled=false', 'preview.enabled=false', 'motion.program=motioncor2', `motion.executable=${fake('MotionCor2')}`,
        'motion.gpus=[0]', 'resources.allowGpuSharing=true', 'ctf.program=ctffind', `ctf.executable=${fake('ctffind')}`],
    })
    const agent = session.startAgent(['--gpus', '0'])
    const pid = agent.child.pid!
    for (const name of readdirSync(staging)) renameSync(join(staging, name), join(data, name))
    const started = Date.now()
    let maxFds = 0
    let maxRss = 0
    const sampler = setInterval(() => {
      const s = sampleProcess(pid)
      if (s) [maxFds, maxRss] = [Math.max(maxFds, s.fds), Math.max(maxRss, s.rssMiB)]
    }, 100)
    let last: unknown
    const status = await waitFor('every backlog movie to end', async () => {
      const s = await controllerStatus(session.projects, 'backlog')
      last = s.movies
      return s.movies.processed + s.movies.failed >= MOVIES && s.movies.inFlight === 0 ? s : undefined
    }, 30_000 + MOVIES * 1000, 1000).catch((e: Error) => {
      throw new Error(`${e.message}; last ${JSON.stringify(last)}; agent exit ${agent.child.exitCode}/${agent.child.signalCode}: ${agent.stderr().split("\n").filter((l) => /error|fatal|heap|memory/i.test(l)).slice(0, 8).join(" / ").slice(0, 2500)}`)
    }).finally(() => clearInterval(sampler))
    const seconds = (Date.now() - started) / 1000
    expect(agent.child.exitCode, agent.stderr()).toBeNull()
    const rows = await session.stop()
    const one = (sql: string) => Number(rows(sql)[0]?.[0] ?? 0)
    const movieRows = one('SELECT count(*) FROM movies')
    const distinct = one('SELECT count(DISTINCT movie) FROM movies')
    const motionDone = one("SELECT count(*) FROM step_runs WHERE step = 'motion' AND state = 'done'")
    const micrographs = one('SELECT count(*) FROM micrographs')
    console.log(`backlog: ${MOVIES} movies ${SIZE}x${SIZE}x${FRAMES} at once -> ${status.movies.processed} processed, ${status.movies.failed} failed in ${seconds.toFixed(1)} s ` +
      `(${(MOVIES / seconds).toFixed(1)} movies/s); movie rows ${movieRows} (distinct ${distinct}), motion done ${motionDone}, micrographs ${micrographs}; ` +
      `agent peak open fds ${maxFds} (bound ${MAX_FDS}), peak RSS ${maxRss.toFixed(0)} MiB (bound ${MAX_RSS_MIB})`)
    expect(status.movies).toMatchObject({found: MOVIES, processed: MOVIES, failed: 0})
    expect({movieRows, distinct, motionDone, micrographs}).toEqual({movieRows: MOVIES, distinct: MOVIES, motionDone: MOVIES, micrographs: MOVIES})
    expect(maxFds).toBeGreaterThan(0)
    expect(maxFds).toBeLessThan(MAX_FDS)
    expect(maxRss).toBeLessThan(MAX_RSS_MIB)
  }, 90_000 + MOVIES * 1200)
})
