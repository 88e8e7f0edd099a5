// The section pages' charts. Times on x are UTC; each dot carries a <title> (a native tooltip,
// turned into a styled one by report.js).
import type {SiteData, SiteMicrograph} from './data.ts'
import {defocusUm, time} from '../../../controller/report/format.ts'
import {empty, Plot, render, type Chart} from './plot.ts'

type Point = {at: Date; value: number; series: string; name: string}

const PALETTE = ['#1f6fb4', '#e3791b', '#2a9d5b', '#c44e52']

function timePoints(rows: SiteMicrograph[], pick: (m: SiteMicrograph) => Record<string, number> | null): Point[] {
  const out: Point[] = []
  for (const m of rows) {
    const values = pick(m)
    if (!values) continue
    const at = new Date(m.foundAt)
    for (const [series, value] of Object.entries(values)) out.push({at, value, series, name: m.name})
  }
  return out
}

/** Dots over time, one colour per series. */
export function overTime(points: Point[], yLabel: string, what: string, format: (v: number) => string): Chart {
  if (points.length === 0) return empty(what)
  const series = [...new Set(points.map((p) => p.series))]
  const multi = series.length > 1
  return render(
    {
      x: {type: 'utc', label: 'Acquired (UTC)'},
      y: {label: yLabel, grid: true, nice: true},
      color: multi ? {domain: series, range: PALETTE, legend: true} : undefined,
      marks: [
        Plot.dot(points, {
          x: 'at',
          y: 'value',
          r: 2,
          fill: multi ? 'series' : '#1f6fb4',
          title: (p: Point) => `${p.name}\n${p.series}: ${format(p.value)}\n${time(p.at.getTime())}`,
        }),
      ],
    },
    points.length,
  )
}

/** Counts per bin of `step` (in the value's unit); `highlight` rows drawn over the rest. */
export function histogram(values: number[], step: number, xLabel: string, what: string, highlight?: {values: number[]; label: string}): Chart {
  if (values.length === 0) return empty(what)
  const bin = (data: number[], fill: string) => Plot.rectY(data, Plot.binX({y: 'count'}, {x: (v: number) => v, interval: step, fill, inset: 0.5}))
  const marks = [bin(values, highlight ? '#b8c4d0' : '#1f6fb4'), Plot.ruleY([0])]
  if (highlight) marks.splice(1, 0, bin(highlight.values, '#e3791b'))
  return render({
    x: {label: xLabel},
    y: {label: 'Micrographs', grid: true},
    color: highlight ? {legend: true, domain: ['all', highlight.label], range: ['#b8c4d0', '#e3791b']} : undefined,
    marks,
  })
}

export function ctfCharts(report: SiteData) {
  const rows = report.micrographs
  const withCtf = rows.filter((m) => m.ctf)
  const um = (a: number) => a / 1e4
  const last50 = withCtf.slice(-50)
  return {
    defocus: overTime(timePoints(rows, (m) => m.ctf && {U: um(m.ctf.defocusU), V: um(m.ctf.defocusV)}), 'Defocus (µm)', 'CTF estimates', (v) => `${v.toFixed(2)} µm`),
    resolution: overTime(timePoints(rows, (m) => m.ctf && {fit: m.ctf.resolution}), 'Fit resolution (Å)', 'CTF estimates', (v) => `${v.toFixed(1)} Å`),
    resolutionHistogram: histogram(withCtf.map((m) => m.ctf!.resolution), 0.5, 'Max. resolution (Å, 0.5 Å bins)', 'CTF estimates'),
    coverage: histogram(withCtf.map((m) => um((m.ctf!.defocusU + m.ctf!.defocusV) / 2)), 0.5, 'Mean defocus (µm, 0.5 µm bins)', 'CTF estimates', {
      values: last50.map((m) => um((m.ctf!.defocusU + m.ctf!.defocusV) / 2)),
      label: `last ${last50.length}`,
    }),
    astigmatism: overTime(timePoints(rows, (m) => m.ctf && {astigmatism: m.ctf.astigmatism}), 'Astigmatism |U − V| (Å)', 'CTF estimates', (v) => `${v.toFixed(0)} Å`),
    nominal: nominalAgainstMeasured(rows),
  }
}

/** Measured against nominal defocus, when sidecars gave the nominal one. */
function nominalAgainstMeasured(rows: SiteMicrograph[]): Chart | null {
  const points = rows.filter((m) => m.ctf && m.nominalDefocus !== null)
  if (points.length === 0) return null
  const mean = (m: SiteMicrograph) => (m.ctf!.defocusU + m.ctf!.defocusV) / 2e4
  return render(
    {
      x: {label: 'Nominal defocus (µm)'},
      y: {label: 'Measured defocus (µm)', grid: true},
      marks: [
        Plot.dot(points, {x: (m: SiteMicrograph) => m.nominalDefocus! / 1e4, y: mean, r: 2, fill: '#1f6fb4', title: (m: SiteMicrograph) => `${m.name}\nnominal ${defocusUm(m.nominalDefocus)}\nmeasured ${defocusUm(mean(m) * 1e4)}`}),
        Plot.line([[0, 0], [10, 10]].map(([x, y]) => ({x, y})), {x: 'x', y: 'y', stroke: '#999', strokeDasharray: '4 3'}),
      ],
    },
    points.length,
  )
}

export function motionCharts(report: SiteData) {
  const rows = report.micrographs
  const withMotion = rows.filter((m) => m.motion)
  const px = (v: number) => `${v.toFixed(2)} px`
  return {
    drift: overTime(timePoints(rows, (m) => m.motion && {total: m.motion.total, early: m.motion.early, late: m.motion.late}), 'Accumulated drift (px)', 'motion results', px),
    total: histogram(withMotion.map((m) => m.motion!.total), 1, 'Total drift (px, 1 px bins)', 'motion results'),
    early: histogram(withMotion.map((m) => m.motion!.early), 0.5, 'Early drift (px, 0.5 px bins)', 'motion results'),
    late: histogram(withMotion.map((m) => m.motion!.late), 0.5, 'Late drift (px, 0.5 px bins)', 'motion results'),
  }
}

export function pickingCharts(report: SiteData) {
  const rows = report.micrographs.filter((m) => m.picks)
  let sum = 0
  const cumulative = rows.map((m) => ({at: new Date(m.foundAt), value: (sum += m.picks!.count), series: 'particles', name: m.name}))
  return {
    perMicrograph: overTime(timePoints(rows, (m) => m.picks && {particles: m.picks.count}), 'Particles per micrograph', 'picks', (v) => `${v} particles`),
    cumulative:
      cumulative.length === 0
        ? empty('picks')
        : render({
            x: {type: 'utc', label: 'Acquired (UTC)'},
            y: {label: 'Particles (cumulative)', grid: true},
            marks: [Plot.areaY(cumulative, {x: 'at', y: 'value', fill: '#1f6fb4', fillOpacity: 0.2, curve: 'step-after'}), Plot.line(cumulative, {x: 'at', y: 'value', stroke: '#1f6fb4', curve: 'step-after'})],
          }),
  }
}

export function systemCharts(report: SiteData) {
  const series = (label: string, unit: string, pick: (s: SiteData['system'][number]) => number | null) => {
    const points = report.system.flatMap((s) => {
      const v = pick(s)
      return v === null ? [] : [{at: new Date(s.at), value: v, series: s.host, name: s.host}]
    })
    if (points.length === 0) return empty(`${label.toLowerCase()} samples`)
    return render(
      {
        x: {type: 'utc', label: 'Time (UTC)'},
        y: {label: `${label} (${unit})`, grid: true, domain: unit === '%' ? [0, 100] : undefined},
        color: {legend: new Set(points.map((p) => p.series)).size > 1},
        marks: [Plot.line(points, {x: 'at', y: 'value', stroke: 'series'}), Plot.dot(points, {x: 'at', y: 'value', r: 1.5, fill: 'series', title: (p: Point) => `${p.series}\n${p.value.toFixed(1)} ${unit}\n${time(p.at.getTime())}`})],
      },
      points.length,
    )
  }
  return {
    cpu: series('CPU', '%', (s) => s.cpuPercent),
    memory: series('Memory used', '%', (s) => (s.memoryTotalBytes > 0 ? (100 * s.memoryUsedBytes) / s.memoryTotalBytes : null)),
    disk: series('Fullest disk used', '%', (s) => s.diskUsedPercent),
    gpu: series('GPU utilisation', '%', (s) => s.gpuPercent),
    gpuMemory: series('GPU memory used', '%', (s) => s.gpuMemoryPercent),
  }
}
