// Report rebuild of a long session: a synthetic 10,000-micrograph project (real rows, tiny
// images), against the same pipeline at 1,000 (the peer: what is fixed cost, what scales).
// Targets: rebuild <= 20 s, build peak memory <= 1 GB, overview page <= 1 MB.
//   npm run bench -- report        (REPORT_BENCH_MOVIES=N to change the size)
// Figures under CPU contention (a shared 2-core machine) are pessimistic.
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {buildReport, reportPaths} from '../../controller/report/build.js'
import {exportReport} from '../../controller/report/export.js'
import {readReportData} from '../../controller/report/read-project.js'
import {syntheticProject} from '../../test/report/synthetic-project.js'

const MB = 1024 * 1024
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000

async function measure(movies: number) {
  const dir = mkdtempSync(join(tmpdir(), 'emstream-report-bench-'))
  try {
    const p = await syntheticProject({movies, dir, failed: [3]})
    const paths = reportPaths(dir)
    const options = {name: 'bench', workflow: p.workflow}
    let t = performance.now()
    const cpu0 = process.cpuUsage()
    readReportData(p.db, options)
    const readMs = performance.now() - t
    const readCpuMs = cpuMs(process.cpuUsage(cpu0))
    t = performance.now()
    await exportReport(p.db, paths.data, options)
    const firstExportMs = performance.now() - t
    t = performance.now()
    const cpu1 = process.cpuUsage()
    await exportReport(p.db, paths.data, options)
    const exportMs = performance.now() - t
    const exportCpuMs = cpuMs(process.cpuUsage(cpu1))
    const build = await buildReport(paths)
    const site = build.folder
    const size = (f: string) => statSync(join(site, f)).size
    const pages = readdirSync(site).filter((f) => f.endsWith('.html'))
    p.db.close()
    return {
      movies,
      readMs,
      readCpuMs,
      exportCpuMs,
      buildCpuMs: build.cpuMs,
      firstExportMs,
      exportMs,
      buildMs: build.ms,
      rebuildMs: exportMs + build.ms,
      buildPeakMB: build.maxRssBytes / MB,
      overviewKB: size('index.html') / 1024,
      largestPage: pages.map((f) => [f, size(f) / MB] as const).sort((a, b) => b[1] - a[1])[0],
      micrographPages: readdirSync(join(site, 'micrograph')).length,
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const movies = Number(process.env.REPORT_BENCH_MOVIES ?? 10_000)
const peer = await measure(Math.max(1, Math.round(movies / 10)))
const big = await measure(movies)
for (const r of [peer, big]) {
  console.log(
    `${String(r.movies).padStart(6)} micrographs: read ${r.readMs.toFixed(0)} ms (blocks ingest), first export ${(r.firstExportMs / 1000).toFixed(1)} s, ` +
      `rebuild ${(r.rebuildMs / 1000).toFixed(1)} s (export ${(r.exportMs / 1000).toFixed(1)} s + build ${(r.buildMs / 1000).toFixed(1)} s), build peak ${r.buildPeakMB.toFixed(0)} MB, ` +
      `CPU time: read ${r.readCpuMs.toFixed(0)} ms, rebuild ${((r.exportCpuMs + r.buildCpuMs) / 1000).toFixed(1)} s (build ${(r.buildCpuMs / 1000).toFixed(1)} s), ` +
      `overview ${r.overviewKB.toFixed(0)} kB, largest page ${r.largestPage[0]} ${r.largestPage[1].toFixed(1)} MB, ${r.micrographPages} micrograph pages`,
  )
}
console.log(
  `ratio ${big.movies}/${peer.movies}: rebuild x${(big.rebuildMs / peer.rebuildMs).toFixed(1)} (CPU x${((big.exportCpuMs + big.buildCpuMs) / (peer.exportCpuMs + peer.buildCpuMs)).toFixed(1)}), build peak x${(big.buildPeakMB / peer.buildPeakMB).toFixed(1)}`,
)
console.log(
  `targets: rebuild ${(big.rebuildMs / 1000).toFixed(1)} s wall, ${((big.exportCpuMs + big.buildCpuMs) / 1000).toFixed(1)} s CPU (<= 20 s: ${big.rebuildMs <= 20_000 ? 'met' : 'NOT met'} on this machine now), ` +
    `peak ${big.buildPeakMB.toFixed(0)} MB (<= 1024 MB: ${big.buildPeakMB <= 1024 ? 'met' : 'NOT met'}), overview ${big.overviewKB.toFixed(0)} kB (<= 1024 kB: ${big.overviewKB <= 1024 ? 'met' : 'NOT met'})`,
)
