// A 100,000-micrograph project (`npm run bench -- load-project`; LOAD_MICROGRAPHS=N to scale).
// The project is filled through the controller's own ingest path: simulated agents (the real
// agent link and outbox) send each movie's events (found, motion, CTF, picking started and
// finished) over loopback ws to a real `controller serve` process, which validates, journals and
// applies them. Then, measured: the controller's RSS with the project loaded (after the fill, and
// in a fresh controller that only opened it), `controller status` (control API and the CLI, live
// and offline), `controller export --format relion` (CLI), the snapshot's size and load time.
// Peers in the same run: a bare process loading the same snapshot into sql.js (load time, RSS, a
// count query) and `controller --version` (the CLI's fixed cost of starting node and oclif).
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {Project} from '../../controller/project/project.js'
import {projectLayout} from '../../controller/project/layout.js'
import {controlRequest} from '../../controller/server/control-client.js'
import {runProgram, startController} from '../demo/processes.js'
import {flood} from './load/flood.js'
import {loadAverage, mib, readProcStats} from './load/proc-stats.js'
import {readProjectRows} from './load/project-rows.js'
import {runSqlJsPeer} from './load/sqljs-peer.js'
import {loadWorkflowSettings, startLoadSession} from './load/session.js'
import {percentile} from './load/stats.js'
import {EVENTS_PER_MOVIE} from './load/synthetic-events.js'

const MICROGRAPHS = Number(process.env.LOAD_MICROGRAPHS ?? 100_000)
const AGENTS = Number(process.env.LOAD_FILL_AGENTS ?? 4)
const WINDOW = 5000
const REPEATS = 5
const NAME = 'large'

/** Median wall time (ms) of `repeats` runs of body. */
async function timed(repeats: number, body: () => Promise<unknown>): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < repeats; i++) {
    const t = performance.now()
    await body()
    ms.push(performance.now() - t)
  }
  return percentile(ms, 50)
}

async function cli(args: string[]): Promise<string> {
  const r = await runProgram('controller', args)
  if (r.code !== 0) throw new Error(`controller ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return r.stdout
}

function folderBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true})) if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size
  return total
}

console.log(`load-project: ${MICROGRAPHS} micrographs via ${AGENTS} agents into a controller process; load average before: ${loadAverage()}`)
const session = await startLoadSession('emstream-load-project-')
try {
  const token = await session.addProject(NAME, [...loadWorkflowSettings('/data/large'), 'report.enabled=false'])
  const pid = session.controller.child.pid!
  const fill = await flood({
    url: session.url, project: NAME, token, agents: AGENTS, movies: MICROGRAPHS, window: WINDOW, timeoutMs: 30 * 60_000,
    progress: (n) => process.stdout.write(`  ... ${n} movies sent\n`),
  })
  const afterFill = readProcStats(pid)
  console.log(`  fill: ${fill.events} events (${EVENTS_PER_MOVIE} per movie) acknowledged in ${fill.seconds.toFixed(1)} s = ${(fill.events / fill.seconds).toFixed(0)} events/s, ${(MICROGRAPHS / fill.seconds).toFixed(0)} movies/s`)
  console.log(`  controller RSS after the fill ${mib(afterFill.rssBytes)} (peak ${mib(afterFill.peakRssBytes)})`)

  const statusApiMs = await timed(REPEATS, () => controlRequest(session.projects, NAME, 'status'))
  const statusCliMs = await timed(REPEATS, () => cli(['status', '--name', NAME, '--dir', session.projects, '--json']))
  const stopStarted = performance.now()
  await session.stopController() // writes the final snapshot
  const stopMs = performance.now() - stopStarted
  const layout = projectLayout(session.projects, NAME)
  const snapshotBytes = statSync(layout.snapshot).size

  const rows = await readProjectRows(session.projects, NAME)
  const complete = rows.movies === MICROGRAPHS && rows.distinctMovies === MICROGRAPHS && rows.micrographs === MICROGRAPHS && rows.stepsDone === 3 * MICROGRAPHS
  console.log(`  project: ${rows.movies} movies (${rows.distinctMovies} distinct), ${rows.micrographs} micrographs, ${rows.stepsDone} finished step runs: ${complete ? 'all there' : 'INCOMPLETE'}`)

  const offlineStatusMs = await timed(1, () => cli(['status', '--name', NAME, '--dir', session.projects, '--json']))
  const exportDir = join(session.root, 'export')
  let exported = ''
  const exportMs = await timed(1, async () => (exported = await cli(['export', '--name', NAME, '--dir', session.projects, '--format', 'relion', '--out', exportDir, '--json'])))
  const exportSummary = JSON.parse(exported) as {micrographs: number; missing: string[]}
  const cliFloorMs = await timed(REPEATS, () => cli(['--version']))

  const openMs = await timed(1, async () => (await Project.open(layout, {readOnly: true})).close())
  const peer = runSqlJsPeer(layout.snapshot)

  // A fresh controller that only opened the project: its memory is the project's, not the fill's garbage.
  const fresh = await startController(session.projects)
  try {
    const before = readProcStats(fresh.child.pid!)
    const firstStatusMs = await timed(1, () => controlRequest(session.projects, NAME, 'status'))
    const loaded = readProcStats(fresh.child.pid!)
    console.log(`  snapshot ${mib(snapshotBytes)} (${(snapshotBytes / MICROGRAPHS).toFixed(0)} bytes per micrograph); final snapshot on stop ${(stopMs / 1000).toFixed(2)} s`)
    console.log(`  load: Project.open ${(openMs / 1000).toFixed(2)} s; a fresh controller's first status (opens the project) ${(firstStatusMs / 1000).toFixed(2)} s; peer sql.js load ${(peer.loadMs / 1000).toFixed(2)} s -> ratio ${(openMs / peer.loadMs).toFixed(1)}`)
    console.log(`  memory with the project loaded: fresh controller RSS ${mib(loaded.rssBytes)} (idle before opening it ${mib(before.rssBytes)}; target <= 500 MiB: ${loaded.rssBytes <= 500 * 2 ** 20 ? 'met' : 'NOT met'}); ` +
      `peer sql.js process ${mib(peer.rssBytes)} -> ratio ${(loaded.rssBytes / peer.rssBytes).toFixed(2)}`)
  } finally {
    fresh.child.kill('SIGTERM')
    await fresh.exited
  }
  console.log(`  status: control API ${statusApiMs.toFixed(0)} ms (median of ${REPEATS}; peer count query on sql.js ${peer.queryMs.toFixed(0)} ms -> ratio ${(statusApiMs / peer.queryMs).toFixed(1)}); ` +
    `\`controller status --json\` live ${statusCliMs.toFixed(0)} ms, offline (reads the snapshot) ${offlineStatusMs.toFixed(0)} ms; \`controller --version\` ${cliFloorMs.toFixed(0)} ms`)
  console.log(`  export: \`controller export --format relion\` ${(exportMs / 1000).toFixed(1)} s for ${exportSummary.micrographs} micrographs (${(exportMs / exportSummary.micrographs).toFixed(2)} ms each), ` +
    `${mib(folderBytes(exportDir))} of STAR files; ${exportSummary.missing.length} source files absent on this host (the simulated agents' paths: links made, nothing copied)`)
  console.log(`  load average after: ${loadAverage()} (shared 2-core machine: pessimistic)`)
  if (!complete) process.exitCode = 1
} finally {
  await session.dispose()
}
