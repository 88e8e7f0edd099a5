// report.json from the full export: everything the summary pages show, summarised so its size
// (and the Astro build that reads it) stays the same whatever the number of micrographs.
import type {MicrographRow, ReportData, SiteCharts, SiteData, SystemPoint, TimeSeries} from '../export-types.js'
import {tableIndex} from '../table-pages.js'
import {binnedSeries, binWidth, pruneBinCache, stats, type BinCache} from './bins.js'
import {histogram} from './histogram.js'

/** Most time bins in a chart over the session (5-minute bins over 24 h). */
export const SITE_MAX_BINS = 300
/** The newest values drawn in full (and highlighted) in every chart. */
export const SITE_RECENT_POINTS = 50
/** Most non-empty bins of a histogram (its step is doubled beyond). */
export const SITE_HISTOGRAM_BINS = 400
export const SITE_RESOLVED_ALERTS = 200
const NOMINAL_STEP_UM = 0.1

export function siteData(data: ReportData): SiteData {
  const {micrographs} = data
  const resolved = data.alerts.filter((a) => a.resolvedAt !== null)
  return {
    version: data.version,
    generatedAt: data.generatedAt,
    project: data.project,
    session: data.session,
    acquisition: data.acquisition,
    optics: data.optics,
    steps: data.steps,
    alerts: {open: data.alerts.filter((a) => a.resolvedAt === null), resolved: resolved.slice(0, SITE_RESOLVED_ALERTS), resolvedTotal: resolved.length},
    curation: data.curation,
    gridSquares: data.gridSquares,
    counts: {
      micrographs: micrographs.length,
      withMotion: micrographs.filter((m) => m.motion).length,
      withCtf: micrographs.filter((m) => m.ctf).length,
      withPicks: micrographs.filter((m) => m.picks).length,
      particles: micrographs.reduce((n, m) => n + (m.picks?.count ?? 0), 0),
    },
    charts: siteCharts(micrographs, data.system),
    table: tableIndex(micrographs),
  }
}

const um = (a: number) => a / 1e4
const meanDefocus = (m: MicrographRow) => um((m.ctf!.defocusU + m.ctf!.defocusV) / 2)

/** The bins made by the last summaries of this thread (the export's worker keeps the rows of unchanged movies). */
const binCache: BinCache = new Map()

function siteCharts(micrographs: MicrographRow[], system: SystemPoint[]): SiteCharts {
  const used = new Set<string>()
  const charts = chartsOf(micrographs, system, used)
  pruneBinCache(binCache, used)
  return charts
}

function chartsOf(micrographs: MicrographRow[], system: SystemPoint[], used: Set<string>): SiteCharts {
  const binMs = binWidth(micrographs[0]?.foundAt ?? 0, micrographs[micrographs.length - 1]?.foundAt ?? 0, SITE_MAX_BINS)
  /** One series per named value of the micrographs that have it. */
  const over = (values: Record<string, (m: MicrographRow) => number | null>): TimeSeries[] =>
    Object.entries(values).map(([name, value]) =>
      binnedSeries({name, at: (m) => m.foundAt, value, label: (m) => m.name}, micrographs, binMs, SITE_RECENT_POINTS, binCache, used),
    )
  const withCtf = micrographs.filter((m) => m.ctf)
  const withMotion = micrographs.filter((m) => m.motion)
  const values = (rows: MicrographRow[], value: (m: MicrographRow) => number) => rows.map(value)
  const drift = (value: (m: MicrographRow) => number, step: number) => histogram(values(withMotion, value), step, SITE_HISTOGRAM_BINS)
  const systemBinMs = binWidth(system[0]?.at ?? 0, system[system.length - 1]?.at ?? 0, SITE_MAX_BINS)
  return {
    binMs,
    recentPoints: SITE_RECENT_POINTS,
    ctf: {
      defocus: over({U: (m) => m.ctf && um(m.ctf.defocusU), V: (m) => m.ctf && um(m.ctf.defocusV)}),
      resolution: over({fit: (m) => m.ctf?.resolution ?? null}),
      astigmatism: over({astigmatism: (m) => m.ctf?.astigmatism ?? null}),
      resolutionHistogram: histogram(values(withCtf, (m) => m.ctf!.resolution), 0.5, SITE_HISTOGRAM_BINS),
      defocusHistogram: histogram(values(withCtf, meanDefocus), 0.5, SITE_HISTOGRAM_BINS, values(withCtf.slice(-SITE_RECENT_POINTS), meanDefocus)),
      nominal: nominalAgainstMeasured(withCtf),
    },
    motion: {
      drift: over({total: (m) => m.motion?.total ?? null, early: (m) => m.motion?.early ?? null, late: (m) => m.motion?.late ?? null}),
      total: drift((m) => m.motion!.total, 1),
      early: drift((m) => m.motion!.early, 0.5),
      late: drift((m) => m.motion!.late, 0.5),
    },
    picking: {perMicrograph: over({particles: (m) => m.picks?.count ?? null}), cumulative: cumulativeParticles(micrographs, binMs)},
    systemBinMs,
    system: systemSeries(system, systemBinMs, used),
  }
}

/** Particles picked up to the end of each time bin. */
function cumulativeParticles(micrographs: MicrographRow[], binMs: number): {at: number; value: number}[] {
  const out: {at: number; value: number}[] = []
  let sum = 0
  for (const m of micrographs) {
    if (!m.picks) continue
    sum += m.picks.count
    const end = (Math.floor(m.foundAt / binMs) + 1) * binMs
    if (out.length > 0 && out[out.length - 1].at === end) out[out.length - 1].value = sum
    else out.push({at: end, value: sum})
  }
  return out
}

/** Measured mean defocus (um) per nominal defocus bin, from sidecars. */
function nominalAgainstMeasured(withCtf: MicrographRow[]): SiteCharts['ctf']['nominal'] {
  const groups = new Map<number, number[]>()
  for (const m of withCtf) {
    if (m.nominalDefocus === null) continue
    const nominal = Number((Math.round(um(m.nominalDefocus) / NOMINAL_STEP_UM) * NOMINAL_STEP_UM).toFixed(2))
    const group = groups.get(nominal)
    if (group) group.push(meanDefocus(m))
    else groups.set(nominal, [meanDefocus(m)])
  }
  if (groups.size === 0) return null
  const bins = [...groups].sort((a, b) => a[0] - b[0]).map(([nominal, measured]) => ({...stats(nominal, measured), nominal}))
  return {step: NOMINAL_STEP_UM, bins}
}

function systemSeries(system: SystemPoint[], binMs: number, used: Set<string>): SiteCharts['system'] {
  const hosts = [...new Set(system.map((s) => s.host))]
  const byHost = new Map(hosts.map((host) => [host, system.filter((s) => s.host === host)]))
  const perHost = (metric: string, value: (s: SystemPoint) => number | null): TimeSeries[] =>
    hosts
      .map((host) => ({...binnedSeries({name: `${metric} ${host}`, at: (s) => s.at, value, label: (s) => s.host}, byHost.get(host)!, binMs, SITE_RECENT_POINTS, binCache, used), name: host}))
      .filter((series) => series.bins.length > 0)
  return {
    cpu: perHost('cpu', (s) => s.cpuPercent),
    memory: perHost('memory', (s) => (s.memoryTotalBytes > 0 ? (100 * s.memoryUsedBytes) / s.memoryTotalBytes : null)),
    disk: perHost('disk', (s) => s.diskUsedPercent),
    gpu: perHost('gpu', (s) => s.gpuPercent),
    gpuMemory: perHost('gpu memory', (s) => s.gpuMemoryPercent),
  }
}
