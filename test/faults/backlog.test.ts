// 500 tiny movies appear in the watched folder at once (a backlog moved in by one rename each):
// every one is processed exactly once, and the agent's open file descriptors and RSS, sampled
// from /proc during the run, stay bounded.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync} from 'node:fs'
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
// Bounds that hold for any backlog size: the agent's descriptors follow its concurrency (file
// reads of the watcher, step threads), never the number of queued movies.
/**
 * Peaks measured: 48-81 at 100 movies, 62 at 500. Most are transient and independent of the
 * backlog (the ESM loader reading a new worker's modules at once, the tools' pipes, sockets).
 */
const MAX_FDS = 160
/** Descriptors on files in the watched folder: DEFAULT_FILE_READS (4) inspections + 2 step threads, with room. */
const MAX_MOVIE_FDS = 16
const MAX_RSS_MIB = 1024
const STALL_MS = 90_000
const WAIT_MS = 60_000 + MOVIES * 5000

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

interface ProcessSample {
  fds: number
  /** Descriptors open on files under `dir`. */
  fdsUnder: number
  rssMiB: number
}

/** Open fds (all, and those on files under `dir`) and RSS (MiB) of a live process, from /proc. */
function sampleProcess(pid: number, dir: string): ProcessSample | undefined {
  try {
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
    const fds = readdirSync(`/proc/${pid}/fd`)
    const fdsUnder = fds.filter((fd) => target(pid, fd).startsWith(`${dir}/`)).length
    return {fds: fds.length, fdsUnder, rssMiB: rssKiB / 1024}
  } catch {
    return undefined // exited between the reads
  }
}

/** What an fd points at ('' when it closed meanwhile). */
function target(pid: number, fd: string): string {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`)
  } catch {
    return ''
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
    const peak: ProcessSample = {fds: 0, fdsUnder: 0, rssMiB: 0}
    let samples = 0
    const sampler = setInterval(() => {
      const s = sampleProcess(pid, data)
      if (s) for (const k of ['fds', 'fdsUnder', 'rssMiB'] as const) peak[k] = Math.max(peak[k], s[k])
      if (s) samples++
    }, 100)
    let last: unknown
    // Waits as long as movies keep finishing (a shared 2-core machine may be slow), failing once none has for STALL_MS.
    let progress = {ended: -1, at: Date.now()}
    const status = await waitFor('every backlog movie to end', async () => {
      const s = await controllerStatus(session.projects, 'backlog')
      last = s.movies
      const ended = s.movies.processed + s.movies.failed
      if (ended > progress.ended) progress = {ended, at: Date.now()}
      else if (Date.now() - progress.at > STALL_MS) throw new Error(`no movie ended for ${STALL_MS / 1000} s`)
      return ended >= MOVIES && s.movies.inFlight === 0 ? s : undefined
    }, WAIT_MS, 1000).catch((e: Error) => {
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
      `agent peak open fds ${peak.fds} (bound ${MAX_FDS}), on movies ${peak.fdsUnder} (bound ${MAX_MOVIE_FDS}), peak RSS ${peak.rssMiB.toFixed(0)} MiB (bound ${MAX_RSS_MIB})`)
    expect(status.movies).toMatchObject({found: MOVIES, processed: MOVIES, failed: 0})
    expect({movieRows, distinct, motionDone, micrographs}).toEqual({movieRows: MOVIES, distinct: MOVIES, motionDone: MOVIES, micrographs: MOVIES})
    expect(samples).toBeGreaterThan(10)
    expect(peak.fdsUnder).toBeLessThanOrEqual(MAX_MOVIE_FDS)
    expect(peak.fds).toBeLessThan(MAX_FDS)
    expect(peak.rssMiB).toBeLessThan(MAX_RSS_MIB)
  }, WAIT_MS + 120_000)
})
