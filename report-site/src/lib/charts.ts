// The section pages' charts, from the export's summaries (report.json): a value over time is
// its median per time bin (line), the quartiles (dark band) and the range (light band), with
// the newest values drawn as dots over it; a distribution is the export's counts per bin.
// Times on x are UTC; each dot carries a <title> (a native tooltip, styled by report.js).
import type {SiteData} from './data.ts'
import type {BinStats, Histogram, TimeSeries} from '../../../controller/report/export-types.ts'
import {time} from '../../../controller/report/format.ts'
import {empty, Plot, render, type Chart} from './plot.ts'
import {breakAtGaps} from './time-gaps.ts'

const PALETTE = ['#1f6fb4', '#e3791b', '#2a9d5b', '#c44e52', '#8c5fb4', '#7f7f7f']
const RECENT = '#d62728'

type Bin = BinStats & {series: string; mid: Date}

/** Binned series over time (one colour per series) with the newest values as dots. */
export function overTime(series: TimeSeries[], binMs: number, yLabel: string, what: string, format: (v: number) => string, domain?: [number, number]): Chart {
  const shown = series.filter((s) => s.bins.length > 0)
  if (shown.length === 0) return empty(what)
  const names = shown.map((s) => s.name)
  const bins: Bin[] = shown.flatMap((s) => s.bins.map((b) => ({...b, series: s.name, mid: new Date(b.at + binMs / 2)})))
  const recent = shown.flatMap((s) => s.recent.map((p) => ({...p, series: s.name, at: new Date(p.at)})))
  const color = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]
  const marks = shown.flatMap((s) => {
    const gap = (at: number): Bin => ({at, count: 0, min: NaN, q1: NaN, median: NaN, q3: NaN, max: NaN, series: s.name, mid: new Date(at + binMs / 2)})
    const own = breakAtGaps(bins.filter((b) => b.series === s.name), binMs, gap)
    return [
      Plot.areaY(own, {x: 'mid', y1: 'min', y2: 'max', fill: color(s.name), fillOpacity: 0.1, curve: 'step'}),
      Plot.areaY(own, {x: 'mid', y1: 'q1', y2: 'q3', fill: color(s.name), fillOpacity: 0.3, curve: 'step'}),
      Plot.line(own, {x: 'mid', y: 'median', stroke: color(s.name), strokeWidth: 1.5}),
    ]
  })
  marks.push(
    Plot.dot(recent, {
      x: 'at',
      y: 'value',
      r: 2.5,
      fill: shown.length > 1 ? (p: {series: string}) => color(p.series) : RECENT,
      stroke: 'white',
      strokeWidth: 0.5,
      title: (p: {name: string; series: string; value: number; at: Date}) => `${p.name}\n${p.series}: ${format(p.value)}\n${time(p.at.getTime())}`,
    }),
  )
  const chart = render(
    {
      x: {type: 'utc', label: 'Acquired (UTC)'},
      y: {label: yLabel, grid: true, nice: true, domain},
      color: shown.length > 1 ? {domain: names, range: names.map(color), legend: true} : undefined,
      marks,
    },
    recent.length,
  )
  return {...chart, bins: bins.length}
}

/** The export's counts per bin; `highlight` (the newest values' counts) drawn over the rest. */
export function histogram(h: Histogram, xLabel: string, what: string, highlight?: string): Chart {
  if (h.total === 0) return empty(what)
  const bars = (y: 'count' | 'recent', fill: string) => Plot.rectY(h.bins, {x1: 'x0', x2: (b: {x0: number}) => b.x0 + h.step, y, fill, inset: 0.5})
  const marks = [bars('count', highlight ? '#b8c4d0' : '#1f6fb4'), Plot.ruleY([0])]
  if (highlight) marks.splice(1, 0, bars('recent', '#e3791b'))
  const chart = render({
    x: {label: xLabel},
    y: {label: 'Micrographs', grid: true},
    color: highlight ? {legend: true, domain: ['all', highlight], range: ['#b8c4d0', '#e3791b']} : undefined,
    marks,
  })
  return {...chart, bins: h.bins.length}
}

const stepLabel = (h: Histogram, unit: string) => `${h.step} ${unit} bins`

export function ctfCharts(report: SiteData) {
  const {ctf, binMs, recentPoints} = report.charts
  const lastShown = Math.min(recentPoints, report.counts.withCtf)
  return {
    defocus: overTime(ctf.defocus, binMs, 'Defocus (µm)', 'CTF estimates', (v) => `${v.toFixed(2)} µm`),
    resolution: overTime(ctf.resolution, binMs, 'Fit resolution (Å)', 'CTF estimates', (v) => `${v.toFixed(1)} Å`),
    resolutionHistogram: histogram(ctf.resolutionHistogram, `Max. resolution (Å, ${stepLabel(ctf.resolutionHistogram, 'Å')})`, 'CTF estimates'),
    coverage: histogram(ctf.defocusHistogram, `Mean defocus (µm, ${stepLabel(ctf.defocusHistogram, 'µm')})`, 'CTF estimates', `last ${lastShown}`),
    astigmatism: overTime(ctf.astigmatism, binMs, 'Astigmatism |U − V| (Å)', 'CTF estimates', (v) => `${v.toFixed(0)} Å`),
    nominal: nominalAgainstMeasured(ctf.nominal),
  }
}

/** Measured defocus per nominal defocus (median, quartiles, range), when sidecars gave the nominal one. */
function nominalAgainstMeasured(nominal: SiteData['charts']['ctf']['nominal']): Chart | null {
  if (!nominal) return null
  const chart = render(
    {
      x: {label: 'Nominal defocus (µm)'},
      y: {label: 'Measured defocus (µm)', grid: true},
      marks: [
        Plot.ruleX(nominal.bins, {x: 'nominal', y1: 'min', y2: 'max', stroke: '#b8c4d0'}),
        Plot.ruleX(nominal.bins, {x: 'nominal', y1: 'q1', y2: 'q3', stroke: '#1f6fb4', strokeWidth: 3}),
        Plot.dot(nominal.bins, {
          x: 'nominal',
          y: 'median',
          r: 3,
          fill: '#1f6fb4',
          title: (b: Bin & {nominal: number}) => `nominal ${b.nominal.toFixed(1)} µm: ${b.count} micrographs\nmedian measured ${b.median.toFixed(2)} µm (quartiles ${b.q1.toFixed(2)}–${b.q3.toFixed(2)})`,
        }),
        Plot.line([[0, 0], [10, 10]].map(([x, y]) => ({x, y})), {x: 'x', y: 'y', stroke: '#999', strokeDasharray: '4 3'}),
      ],
    },
    nominal.bins.length,
  )
  return {...chart, bins: nominal.bins.length}
}

export function motionCharts(report: SiteData) {
  const {motion, binMs} = report.charts
  const px = (v: number) => `${v.toFixed(2)} px`
  return {
    drift: overTime(motion.drift, binMs, 'Accumulated drift (px)', 'motion results', px),
    total: histogram(motion.total, `Total drift (px, ${stepLabel(motion.total, 'px')})`, 'motion results'),
    early: histogram(motion.early, `Early drift (px, ${stepLabel(motion.early, 'px')})`, 'motion results'),
    late: histogram(motion.late, `Late drift (px, ${stepLabel(motion.late, 'px')})`, 'motion results'),
  }
}

export function pickingCharts(report: SiteData) {
  const {picking, binMs} = report.charts
  const cumulative = picking.cumulative.map((p) => ({at: new Date(p.at), value: p.value}))
  return {
    perMicrograph: overTime(picking.perMicrograph, binMs, 'Particles per micrograph', 'picks', (v) => `${v} particles`),
    cumulative:
      cumulative.length === 0
        ? empty('picks')
        : {
            ...render({
              x: {type: 'utc', label: 'Acquired (UTC)'},
              y: {label: 'Particles (cumulative)', grid: true},
              marks: [Plot.areaY(cumulative, {x: 'at', y: 'value', fill: '#1f6fb4', fillOpacity: 0.2, curve: 'step-before'}), Plot.line(cumulative, {x: 'at', y: 'value', stroke: '#1f6fb4', curve: 'step-before'})],
            }),
            bins: cumulative.length,
          },
  }
}

export function systemCharts(report: SiteData) {
  const {system, systemBinMs} = report.charts
  const chart = (series: TimeSeries[], label: string, unit: string) => overTime(series, systemBinMs, `${label} (${unit})`, `${label.toLowerCase()} samples`, (v) => `${v.toFixed(1)} ${unit}`, unit === '%' ? [0, 100] : undefined)
  return {
    cpu: chart(system.cpu, 'CPU', '%'),
    memory: chart(system.memory, 'Memory used', '%'),
    disk: chart(system.disk, 'Fullest disk used', '%'),
    gpu: chart(system.gpu, 'GPU utilisation', '%'),
    gpuMemory: chart(system.gpuMemory, 'GPU memory used', '%'),
  }
}

/** What a chart over time shows, for its caption: "median, quartiles and range per 5 min, newest 50 as dots". */
export function binCaption(binMs: number, recent: number): string {
  const unit = binMs >= 3_600_000 ? [3_600_000, 'h'] : binMs >= 60_000 ? [60_000, 'min'] : [1000, 's']
  return `median, quartiles and range per ${binMs / (unit[0] as number)} ${unit[1]}, newest ${recent} as dots`
}
