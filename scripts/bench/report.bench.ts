// Report rebuild of a long session: a synthetic 10,000-micrograph project (real rows, tiny
// images), against the same pipeline at 1,000 (the peer: what is fixed cost, what scales).
// A rebuild should cost the same at both (flat): report.json and the Astro pages are bounded,
// the export reads only changed movies, the build links in only changed files.
// Targets: rebuild <= 20 s, build peak memory <= 1 GB, overview page <= 1 MB, and the export
// must not stall ingest: the longest the controller's event loop waits during an export
// (monitorEventLoopDelay max), beside what the old in-thread read of the project took.
//   npm run bench -- report        (REPORT_BENCH_MOVIES=N to change the size)
// Figures under CPU contention (a shared 2-core machine) are pessimistic.
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {monitorEventLoopDelay} from 'node:perf_hooks'
import {buildReport, MICROGRAPH_PAGES, reportPaths, type ReportPaths} from '../../controller/report/build.js'
import {ReportExporter, type ExportResult} from '../../controller/report/export.js'
import {REPORT_JSON} from '../../controller/report/export-types.js'
import {readReportData} from '../../controller/report/read-project.js'
import {syntheticProject} from '../../test/report/synthetic-project.js'

const MB = 1024 * 1024
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000

/** Wall and CPU time (this process, every thread) of `run`, and the longest event-loop stall meanwhile. */
async function timed<T>(run: () => Promise<T>): Promise<{result: T; ms: number; cpuMs: number; stallMs: number}> {
  const delay = monitorEventLoopDelay({resolution: 1})
  delay.enable()
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await run()
  const ms = performance.now() - started
  delay.disable()
  return {result, ms, cpuMs: cpuMs(process.cpuUsage(cpu)), stallMs: delay.max / 1e6}
}

/** A build: its wall time, and CPU time here (linking the images and pages in) plus the child's. */
async function timedBuild(paths: ReportPaths) {
  const {result, ms, cpuMs} = await timed(() => buildReport(paths))
  return {...result, ms, cpuMs: cpuMs + result.cpuMs}
}

async function measure(movies: number) {
  const dir = mkdtempSync(join(tmpdir(), 'emstream-report-bench-'))
  try {
    const p = await syntheticProject({movies, dir, failed: [3]})
    const paths = reportPaths(dir)
    const options = {name: 'bench', workflow: p.workflow}
    // What the export used to do on the controller's thread: read the whole project.
    const t = performance.now()
    readReportData(p.db, options)
    const inThreadReadMs = performance.now() - t
    // As the live service does: one export worker, kept between exports.
    const exporter = new ReportExporter()
    const exportReport = () => exporter.export(p.db, paths.data, options)
    const first = await timed(exportReport)
    const firstBuild = await timedBuild(paths)
    // A rebuild: one more micrograph finished CTF since the last build.
    p.db.run('UPDATE ctf SET resolution = resolution + 0.1, finished_at = finished_at + 1 WHERE movie_id = 5')
    const again = await timed(exportReport)
    const build = await timedBuild(paths)
    // The worst case: the session closes and the project gets a new title, which every page shows.
    p.db.run("UPDATE sessions SET state = 'closed', input_closed_at = coalesce(input_closed_at, started_at), closed_at = coalesce(closed_at, started_at)")
    const closing = await timed(() => exporter.export(p.db, paths.data, {...options, name: 'bench, renamed'}))
    const closingBuild = await timedBuild(paths)
    const site = closingBuild.folder
    const size = (f: string) => statSync(join(site, f)).size
    const pages = readdirSync(site).filter((f) => f.endsWith('.html'))
    await exporter.close()
    p.db.close()
    const summary = (e: {result: ExportResult; ms: number; cpuMs: number; stallMs: number}) => ({...e, pagesMade: e.result.pagesMade, copyMs: e.result.copyMs})
    return {
      movies,
      inThreadReadMs,
      first: summary(first),
      firstBuild,
      again: summary(again),
      build,
      rebuildMs: again.ms + build.ms,
      rebuildCpuMs: again.cpuMs + build.cpuMs,
      closing: summary(closing),
      closingRebuildMs: closing.ms + closingBuild.ms,
      closingRebuildCpuMs: closing.cpuMs + closingBuild.cpuMs,
      firstRebuildMs: first.ms + firstBuild.ms,
      firstRebuildCpuMs: first.cpuMs + firstBuild.cpuMs,
      buildPeakMB: Math.max(build.maxRssBytes, firstBuild.maxRssBytes, closingBuild.maxRssBytes) / MB,
      overviewKB: size('index.html') / 1024,
      largestPage: pages.map((f) => [f, size(f) / MB] as const).sort((a, b) => b[1] - a[1])[0],
      micrographPages: readdirSync(join(site, MICROGRAPH_PAGES)).length,
      reportJsonKB: statSync(join(paths.data, REPORT_JSON)).size / 1024,
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const movies = Number(process.env.REPORT_BENCH_MOVIES ?? 10_000)
const peer = await measure(Math.max(1, Math.round(movies / 10)))
const big = await measure(movies)
for (const r of [peer, big]) {
  console.log(
    `${String(r.movies).padStart(6)} micrographs: rebuild ${s(r.rebuildMs)} wall, ${s(r.rebuildCpuMs)} CPU ` +
      `(export ${s(r.again.ms)} / ${s(r.again.cpuMs)} CPU, ${r.again.result.reread} micrographs read again, ${r.again.pagesMade} pages made; build ${s(r.build.ms)} / ${s(r.build.cpuMs)} CPU, of it Astro ${s(r.build.astroMs)}, ${r.build.linked} files linked in); ` +
      `rebuild with every page made again ${s(r.closingRebuildMs)} wall, ${s(r.closingRebuildCpuMs)} CPU (export ${s(r.closing.ms)} / ${s(r.closing.cpuMs)} CPU, ${r.closing.pagesMade} pages made); ` +
      `first build ${s(r.firstRebuildMs)} wall, ${s(r.firstRebuildCpuMs)} CPU (export ${s(r.first.ms)}, ${r.first.pagesMade} pages and all images made); ` +
      `build peak ${r.buildPeakMB.toFixed(0)} MB; ingest stall during export: ${r.again.stallMs.toFixed(0)} ms (first ${r.first.stallMs.toFixed(0)} ms; database copy ${r.again.copyMs.toFixed(0)} ms) ` +
      `against ${r.inThreadReadMs.toFixed(0)} ms for the read in the controller's thread; ` +
      `overview ${r.overviewKB.toFixed(0)} kB, largest page ${r.largestPage[0]} ${r.largestPage[1].toFixed(2)} MB, report.json ${r.reportJsonKB.toFixed(0)} kB, ${r.micrographPages} micrograph pages`,
  )
}
console.log(
  `ratio ${big.movies}/${peer.movies}: rebuild x${(big.rebuildMs / peer.rebuildMs).toFixed(2)} (CPU x${(big.rebuildCpuMs / peer.rebuildCpuMs).toFixed(2)}; export x${(big.again.ms / peer.again.ms).toFixed(2)}, ` +
    `build x${(big.build.ms / peer.build.ms).toFixed(2)}), build peak x${(big.buildPeakMB / peer.buildPeakMB).toFixed(2)}, report.json x${(big.reportJsonKB / peer.reportJsonKB).toFixed(2)}, ` +
    `largest page x${(big.largestPage[1] / peer.largestPage[1]).toFixed(2)} (flat: ${big.rebuildMs <= 1.5 * peer.rebuildMs ? 'yes' : 'NO, grows with the project'})`,
)
console.log(
  `targets: rebuild ${s(big.rebuildMs)} wall, ${s(big.rebuildCpuMs)} CPU (<= 20 s: ${big.rebuildMs <= 20_000 ? 'met' : 'NOT met'} on this machine now; every page made again: ${s(big.closingRebuildMs)} wall, ${s(big.closingRebuildCpuMs)} CPU; ` +
    `first build with all images ${s(big.firstRebuildMs)}), ` +
    `peak ${big.buildPeakMB.toFixed(0)} MB (<= 1024 MB: ${big.buildPeakMB <= 1024 ? 'met' : 'NOT met'}), overview ${big.overviewKB.toFixed(0)} kB (<= 1024 kB: ${big.overviewKB <= 1024 ? 'met' : 'NOT met'}), ` +
    `ingest stall ${big.again.stallMs.toFixed(0)} ms (was ${big.inThreadReadMs.toFixed(0)} ms)`,
)
