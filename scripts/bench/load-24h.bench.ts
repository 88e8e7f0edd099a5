// A 24-hour session replayed at accelerated time (`npm run bench -- load-24h`): LOAD_24H_MOVIES
// movies (default 24,000 = 1,000 an hour) into one real `controller serve` process, the live
// report rebuilt at LOAD_24H_REBUILDS checkpoints (default 4: hours 6, 12, 18, 24) as it grows.
// What is real: the first LOAD_24H_REAL_MOVIES (default 32) are simulated 256x256x4 MRC movies
// processed by a real `agent start` process (builtin motion, CTF, picking, previews) streaming to
// the controller through a relay that records its event messages. The remaining movies are
// those recorded events replayed by simulated agents (the real agent link and outbox) under new
// movie names, agent-side times shifted onto the 24 h timeline (one movie every 3.6 s), result
// files still the real outputs — processing 24,000 movies on this 2-core machine would take hours.
// The controller stamps arrival with its own clock, so its found_at spans the run, not 24 h.
// Each rebuild is the controller's own (POST /report/<project>/build: export + Astro build +
// carrying the per-micrograph files over + swap), taken with ingest paused so the figures are the report's alone. At each checkpoint the
// report first catches up to a minute before it, then the measured rebuild adds the last minute's
// 17 movies: what a live session's rebuild every 60 s costs at that project size. Checked at the end:
// every movie once in the project, with all its steps. The peer is the first rebuild (1/N of the
// project), as in the report bench: flat means the last costs about what the first did.
import {mkdirSync, readdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {controlRequest} from '../../controller/server/control-client.js'
import {reportPaths} from '../../controller/report/build.js'
import {writeSmallMovie} from '../../test/e2e/small-movie.js'
import {spawnProgram, waitFor} from '../demo/processes.js'
import {LoadAgent, outboxRoot, within} from './load/load-agent.js'
import {loadAverage, mib, readProcStats} from './load/proc-stats.js'
import {readProjectRows} from './load/project-rows.js'
import {startRecordingProxy} from './load/recording-proxy.js'
import {movieTemplates, replayed} from './load/replay-templates.js'
import {startLoadSession} from './load/session.js'
import {sendWindowed} from './load/windowed.js'

const MOVIES = Number(process.env.LOAD_24H_MOVIES ?? 24_000)
const REAL = Math.min(MOVIES, Number(process.env.LOAD_24H_REAL_MOVIES ?? 32))
const REBUILDS = Number(process.env.LOAD_24H_REBUILDS ?? 4)
const REPLAY_AGENTS = 4
const MAX_AGENT_RESTARTS = 5
const WINDOW = 2000
const STEPS = 4 // motion, ctf, picking, preview
const MOVIE_INTERVAL_MS = 3_600_000 / 1000
const MOVIES_PER_MINUTE = 17 // 1,000 an hour, between two rebuilds of a 60 s report interval
const NAME = 'day'

interface Rebuild {
  movies: number
  wallMs: number
  buildMs: number
  astroMs: number
  astroCpuMs: number
  exportMs: number
  linked: number
  reread: number
  reportJsonBytes: number
  controllerRssBytes: number
}

console.log(`load-24h: ${MOVIES} movies (${REAL} processed by a real agent, the rest replayed), ${REBUILDS} report rebuilds; load average before: ${loadAverage()}`)
const session = await startLoadSession('emstream-load-24h-')
const agentProcs: ReturnType<typeof spawnProgram>[] = []
try {
  const data = join(session.root, 'data')
  const staging = join(session.root, 'staging')
  mkdirSync(data)
  mkdirSync(staging)
  const token = await session.addProject(NAME, [
    `acquisition.inputFolder=${data}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0', 'picking.diameterMin=120', 'picking.diameterMax=180',
    'motion.patchesX=1', 'motion.patchesY=1', 'preview.size=64',
    // Rebuilds are requested at measured points; the timer's would land anywhere in between.
    'report.intervalSeconds=86400',
  ])
  const pid = session.controller.child.pid!

  // ---- the real part: a real agent processing real (simulated) movies ----
  for (let i = 0; i < REAL; i++) await writeSmallMovie(join(staging, `FoilHole_${1000 + i}_Data.mrc`), {size: 256, frames: 4, seed: i + 1})
  const proxy = await startRecordingProxy(session.url)
  const agentArgs = ['start', '--controller', proxy.url, '--token', token, '--project', NAME, '--state', join(session.root, 'state'),
    '--out', join(session.root, 'out'), '--threads', '2', '--system-interval', '5000']
  let agent = spawnProgram('agent', agentArgs)
  agentProcs.push(agent)
  await waitFor('the agent to watch', () => (agent.stderr().includes('watching') ? true : agent.child.exitCode !== null ? Promise.reject(new Error(agent.stderr())) : undefined), 120_000, 100)
  const realStarted = Date.now()
  for (const name of readdirSync(staging)) renameSync(join(staging, name), join(data, name))
  // An agent that dies is started again on its state folder, as a service manager would (Restart=on-failure): it resumes.
  const crashes: string[] = []
  await waitFor('the real agent to process its movies', async () => {
    if (agent.child.exitCode !== null || agent.child.signalCode !== null) {
      const fatal = agent.stderr().split('\n').find((l) => /fatal|error|abort/i.test(l)) ?? agent.stderr().slice(-300)
      crashes.push(`${agent.child.exitCode ?? agent.child.signalCode}: ${fatal.trim().slice(0, 300)}`)
      if (crashes.length > MAX_AGENT_RESTARTS) throw new Error(`the agent died ${crashes.length} times: ${crashes.join(' | ')}`)
      agent = spawnProgram('agent', agentArgs)
      agentProcs.push(agent)
      return undefined
    }
    const s = await controlRequest(session.projects, NAME, 'status')
    return s && s.movies.processed + s.movies.failed >= REAL && s.movies.inFlight === 0 ? s : undefined
  }, 120_000 + REAL * 30_000, 500)
  const realSeconds = (Date.now() - realStarted) / 1000
  agent.child.kill('SIGTERM')
  await agent.exited
  await proxy.close()
  const templates = movieTemplates(proxy.events(), STEPS)
  if (templates.length !== REAL) throw new Error(`the real agent finished ${templates.length} of ${REAL} movies with every step`)
  console.log(`  real part: ${REAL} movies 256x256x4 processed by \`agent start\` in ${realSeconds.toFixed(1)} s (${(realSeconds / REAL).toFixed(2)} s per movie on this machine: ` +
    `${((MOVIES * realSeconds) / REAL / 3600).toFixed(1)} h for all ${MOVIES}); ${proxy.events().length} event messages recorded`)
  if (crashes.length) console.log(`  the agent died ${crashes.length} time(s) and was restarted: ${crashes.join(' | ')}`)

  // ---- the replay: simulated agents send the recorded movies under new names ----
  const stateRoot = outboxRoot()
  const perAgent = Math.ceil((MOVIES - REAL) / REPLAY_AGENTS)
  const capacity = perAgent * Math.max(...templates.map((t) => t.messages.length)) + 1
  const replayAgents = Array.from({length: REPLAY_AGENTS}, (_, i) =>
    new LoadAgent({url: session.url, project: NAME, token, agentId: `gpu-box-${i + 1}`, stateRoot, capacity}))
  await within(Promise.all(replayAgents.map((a) => a.connected)), 60_000, 'the replay agents to be welcomed')
  const rebuilds: Rebuild[] = []
  const reportJson = join(reportPaths(join(session.projects, NAME)).data, 'report.json')
  let next = REAL
  /** Movie j of the day, a copy of template j mod REAL shifted to its place on the timeline. */
  const movieFor = (j: number) => {
    const k = j % REAL
    return replayed(templates[k], `Hour_${String(Math.floor(j / 1000)).padStart(2, '0')}/FoilHole_${1000 + j}_Data.mrc`, (j - k) * MOVIE_INTERVAL_MS)
  }
  const replayStarted = performance.now()
  let replayMs = 0
  const cpuBefore = readProcStats(pid)
  const sendUpTo = async (upTo: number) => {
    const t = performance.now()
    await Promise.all(replayAgents.map((a) => sendWindowed(a, () => (next < upTo ? movieFor(next++) : undefined), WINDOW)))
    replayMs += performance.now() - t
  }
  const rebuild = async (movies: number): Promise<Rebuild> => {
    const started = performance.now()
    const response = await fetch(`http://127.0.0.1:${session.controller.port}/report/${NAME}/build`, {method: 'POST'})
    const body = (await response.json()) as {ms?: number; astroMs?: number; astroCpuMs?: number; exportMs?: number; linked?: number; reread?: number; error?: string}
    if (!response.ok) throw new Error(`report rebuild at ${movies} movies failed: ${body.error}`)
    return {movies, wallMs: performance.now() - started, buildMs: body.ms ?? 0, astroMs: body.astroMs ?? 0, astroCpuMs: body.astroCpuMs ?? 0, exportMs: body.exportMs ?? 0, linked: body.linked ?? 0, reread: body.reread ?? 0, reportJsonBytes: statSync(reportJson).size, controllerRssBytes: readProcStats(pid).rssBytes}
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  for (let c = 1; c <= REBUILDS; c++) {
    const upTo = Math.round((MOVIES * c) / REBUILDS)
    // Catch up to a minute before the checkpoint, then the minute's movies: the rebuild a live session does every report interval.
    await sendUpTo(Math.max(next, upTo - MOVIES_PER_MINUTE))
    const catchUp = await rebuild(next)
    const before = next
    await sendUpTo(upTo)
    const r = await rebuild(upTo)
    rebuilds.push(r)
    console.log(`  ${String(upTo).padStart(6)} movies (hour ${((upTo / MOVIES) * 24).toFixed(0).padStart(2)}): rebuild with the last minute's ${upTo - before} new movies ${seconds(r.wallMs)} ` +
      `(export ${seconds(r.exportMs)}, ${r.reread} micrographs read again; build ${seconds(r.buildMs)}, of it Astro ${seconds(r.astroMs)} (${seconds(r.astroCpuMs)} CPU: the wall time includes waiting for other Astro builds of this checkout), ${r.linked} files linked in); catching up ${seconds(catchUp.wallMs)}; report.json ${mib(r.reportJsonBytes)}, controller RSS ${mib(r.controllerRssBytes)}`)
  }
  const cpuAfter = readProcStats(pid)
  const replayedEvents = replayAgents.reduce((n, a) => n + a.appended, 0)
  for (const a of replayAgents) a.close()
  rmSync(stateRoot, {recursive: true, force: true})
  console.log(`  replay: ${MOVIES - REAL} movies, ${replayedEvents} events acknowledged in ${(replayMs / 1000).toFixed(1)} s of sending ` +
    `(${(replayedEvents / (replayMs / 1000)).toFixed(0)} events/s; a real day is 1,000 movies/h = ${(1000 * (replayedEvents / (MOVIES - REAL)) / 3600).toFixed(1)} events/s); ` +
    `controller CPU over replay and rebuilds ${((cpuAfter.cpuMs - cpuBefore.cpuMs) / 1000).toFixed(0)} s in ${((performance.now() - replayStarted) / 1000).toFixed(0)} s, peak RSS ${mib(cpuAfter.peakRssBytes)}`)

  const first = rebuilds[0]
  const last = rebuilds[rebuilds.length - 1]
  const slope = leastSquaresSlope(rebuilds.map((r) => [r.movies, r.wallMs])) // ms per micrograph = s per 1,000
  const cpuSlope = leastSquaresSlope(rebuilds.map((r) => [r.movies, r.astroCpuMs + r.exportMs]))
  console.log(`  export + Astro CPU: ${rebuilds.map((r) => seconds(r.exportMs + r.astroCpuMs)).join(', ')}; fitted ${cpuSlope.toFixed(2)} s more per 1,000 micrographs`)
  console.log(`  rebuild growth: ${(first.wallMs / 1000).toFixed(1)} s at ${first.movies} -> ${(last.wallMs / 1000).toFixed(1)} s at ${last.movies} movies, ratio x${(last.wallMs / first.wallMs).toFixed(2)} ` +
    `for x${(last.movies / first.movies).toFixed(0)} the micrographs; fitted ${slope.toFixed(2)} s more per 1,000 micrographs (${last.wallMs <= 1.5 * first.wallMs ? 'flat' : 'NOT flat: grows with the project'})`)

  await session.stopController()
  const rows = await readProjectRows(session.projects, NAME)
  const complete = rows.movies === MOVIES && rows.distinctMovies === MOVIES && rows.micrographs === MOVIES && rows.stepsDone === STEPS * MOVIES
  console.log(`  nothing lost: ${rows.movies} movie rows (${rows.distinctMovies} distinct), ${rows.micrographs} micrographs, ${rows.stepsDone} finished step runs ` +
    `(expected ${MOVIES} / ${MOVIES} / ${STEPS * MOVIES}): ${complete ? 'every movie once, with all its steps' : 'MISMATCH'}`)
  console.log(`  load average after: ${loadAverage()} (shared 2-core machine: pessimistic)`)
  if (!complete) process.exitCode = 1
} finally {
  for (const p of agentProcs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
  await session.dispose()
}

/** Slope of the least-squares line through (x, y) points. */
function leastSquaresSlope(points: [number, number][]): number {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0)
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}
