// The export's summaries for the summary pages: bounded whatever the session's size, and right.
import {describe, expect, it} from 'vitest'
import {REPORT_DATA_VERSION, type MicrographRow, type ReportData, type TimeSeries} from '../../controller/report/export-types.js'
import {binnedSeries, binWidth, pruneBinCache, quantile, type BinCache} from '../../controller/report/summary/bins.js'
import {histogram} from '../../controller/report/summary/histogram.js'
import {SITE_HISTOGRAM_BINS, SITE_MAX_BINS, SITE_RECENT_POINTS, siteData} from '../../controller/report/summary/site-data.js'
import {TABLE_PAGE_SIZE} from '../../controller/report/table-pages.js'

const HOUR = 3_600_000
const START = Date.UTC(2026, 0, 15, 8)

/** n micrographs at 1,000 an hour, with varied results; every 7th failed before CTF. */
function rows(n: number): MicrographRow[] {
  return Array.from({length: n}, (_, i) => {
    const failed = i % 7 === 3
    const defocus = 8000 + ((i * 3137) % 20000)
    return {
      id: i + 1,
      name: `FoilHole_${i}_Data.tiff`,
      foundAt: START + i * 3600,
      state: failed ? 'failed' : 'done',
      failedStep: failed ? 'ctf' : null,
      error: null,
      motion: {finishedAt: 0, total: 10 + (i % 7), early: 3 + (i % 5) * 0.5, late: 7 + (i % 4), pixelSize: 1, frames: 40, dosePerFrame: 1, shifts: []},
      ctf: failed ? null : {finishedAt: 0, defocusU: defocus + 300, defocusV: defocus - 300, defocusAngle: 30, astigmatism: 600, phaseShift: 0, resolution: 3 + ((i * 7) % 50) / 10, figureOfMerit: 0.3},
      picks: failed ? null : {finishedAt: 0, count: 50 + ((i * 13) % 200), meanScore: 0.5, meanDiameter: 150},
      images: {preview: null, psd: null, picks: null, drift: null, ctf: null},
      accepted: !failed,
      rejectReason: null,
      nominalDefocus: i % 2 === 0 ? 10000 + 2000 * (i % 5) : null,
      gridSquare: null,
      runs: [],
    }
  })
}

function report(n: number): ReportData {
  return {
    version: REPORT_DATA_VERSION,
    generatedAt: START + n * 3600,
    project: {name: 'p', title: 'p'},
    session: {state: 'running', createdAt: START, scheduledAt: START, startedAt: START, inputClosedAt: null, inputClosedReason: null, closedAt: null, lastUpdateAt: null},
    acquisition: [],
    optics: {voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1},
    steps: [],
    alerts: [],
    curation: {available: true, accepted: 0, rejected: 0},
    micrographs: rows(n),
    provenance: [],
    system: Array.from({length: Math.round(n / 5)}, (_, i) => ({
      host: i % 2 ? 'gpu-1' : 'gpu-2', at: START + i * 18_000, cpuPercent: 40 + (i % 30), memoryUsedBytes: 2e10, memoryTotalBytes: 6.4e10,
      diskUsedPercent: 50, diskFreeBytes: 4e12, gpuPercent: 80, gpuMemoryPercent: 30, gpuTemperatureC: 60,
    })),
    gridSquares: [],
  }
}

const allSeries = (charts: ReturnType<typeof siteData>['charts']): TimeSeries[] => [
  ...charts.ctf.defocus, ...charts.ctf.resolution, ...charts.ctf.astigmatism, ...charts.motion.drift, ...charts.picking.perMicrograph, ...Object.values(charts.system).flat(),
]

describe('time bins', () => {
  it('picks the narrowest readable width that keeps a session within the most bins', () => {
    expect(binWidth(START, START + 24 * HOUR, 300)).toBe(5 * 60_000)
    // 288 five-minute intervals touch 289 epoch-aligned bins.
    expect(binWidth(START, START + 24 * HOUR, 288)).toBe(10 * 60_000)
    expect(binWidth(START, START + 2 * HOUR, 300)).toBe(30_000)
    expect(binWidth(START, START, 300)).toBe(1000)
    // Ten days still fit, in wider bins.
    expect(Math.ceil((240 * HOUR) / binWidth(START, START + 240 * HOUR, 300))).toBeLessThanOrEqual(300)
  })

  it('summarises each bin by its quartiles, keeps the newest values whole and remakes only changed bins', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3)
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75)
    const items = [5, 1, 3, 2, 4, 10, 20].map((value, i) => ({at: i < 5 ? 1000 : 61_000, value, name: `m${i}`}))
    const series = {name: 'x', at: (i: {at: number}) => i.at, value: (i: {value: number}) => i.value, label: (i: {name: string}) => i.name}
    const cache: BinCache = new Map()
    const first = binnedSeries(series, items, 60_000, 3, cache, new Set())
    expect(first.bins).toEqual([
      {at: 0, count: 5, min: 1, q1: 2, median: 3, q3: 4, max: 5},
      {at: 60_000, count: 2, min: 10, q1: 12.5, median: 15, q3: 17.5, max: 20},
    ])
    expect(first.recent.map((p) => p.name)).toEqual(['m4', 'm5', 'm6'])
    // A new item in the second bin: the first bin's stats are the same object, the second's are new.
    const used = new Set<string>()
    const again = binnedSeries(series, [...items, {at: 62_000, value: 30, name: 'm7'}], 60_000, 3, cache, used)
    expect(again.bins[0]).toBe(first.bins[0])
    expect(again.bins[1]).toMatchObject({count: 3, median: 20})
    pruneBinCache(cache, used)
    expect(cache.size).toBe(2)
  })
})

describe('histogram', () => {
  it('counts every value once and the newest again, widening bins beyond the most', () => {
    const h = histogram([0.1, 0.4, 0.6, 1.2, 1.4, 1.45], 0.5, 10, [1.2, 1.4])
    expect(h).toEqual({step: 0.5, total: 6, bins: [{x0: 0, count: 2, recent: 0}, {x0: 0.5, count: 1, recent: 0}, {x0: 1, count: 3, recent: 2}]})
    const wide = histogram(Array.from({length: 1000}, (_, i) => i), 1, 100)
    expect(wide.bins.length).toBeLessThanOrEqual(100)
    expect(wide.step).toBe(16)
    expect(wide.bins.reduce((n, b) => n + b.count, 0)).toBe(1000)
  })
})

describe('siteData', () => {
  it('stays the same size whatever the number of micrographs', () => {
    const small = siteData(report(6000))
    const large = siteData(report(24_000))
    for (const s of allSeries(large.charts)) {
      expect(s.bins.length, s.name).toBeLessThanOrEqual(SITE_MAX_BINS)
      expect(s.recent.length, s.name).toBe(SITE_RECENT_POINTS)
    }
    for (const h of [large.charts.ctf.resolutionHistogram, large.charts.ctf.defocusHistogram, large.charts.motion.total]) expect(h.bins.length).toBeLessThanOrEqual(SITE_HISTOGRAM_BINS)
    expect(large.table.latest).toHaveLength(TABLE_PAGE_SIZE)
    expect(large.charts.picking.cumulative.length).toBeLessThanOrEqual(SITE_MAX_BINS)
    // Four times the micrographs (6 h against 24 h): only the bins get narrower (2 against 5 minutes, at most SITE_MAX_BINS);
    // apart from the table's index of pages (a line per 100 micrographs) the summaries stay under a megabyte (the rows themselves would be 10 MB).
    const size = (d: object) => JSON.stringify(d).length
    const withoutIndex = (d: typeof small) => size({...d, table: {...d.table, pages: []}})
    expect(withoutIndex(large) / withoutIndex(small)).toBeLessThan(2)
    expect(withoutIndex(large)).toBeLessThan(1024 * 1024)
    expect(large.table.pages).toHaveLength(24_000 / TABLE_PAGE_SIZE)
  })

  it('counts and bins what the micrographs hold', () => {
    const data = report(1000)
    const site = siteData(data)
    const withCtf = data.micrographs.filter((m) => m.ctf)
    expect(site.counts).toEqual({
      micrographs: 1000, withMotion: 1000, withCtf: withCtf.length, withPicks: withCtf.length, particles: withCtf.reduce((n, m) => n + m.picks!.count, 0),
    })
    const [resolution] = site.charts.ctf.resolution
    expect(resolution.bins.reduce((n, b) => n + b.count, 0)).toBe(withCtf.length)
    expect(resolution.recent.at(-1)).toEqual({at: withCtf.at(-1)!.foundAt, value: withCtf.at(-1)!.ctf!.resolution, name: withCtf.at(-1)!.name})
    for (const b of resolution.bins) expect(b.min <= b.q1 && b.q1 <= b.median && b.median <= b.q3 && b.q3 <= b.max).toBe(true)
    expect(site.charts.ctf.defocusHistogram.bins.reduce((n, b) => n + b.recent, 0)).toBe(SITE_RECENT_POINTS)
    expect(site.charts.picking.cumulative.at(-1)!.value).toBe(site.counts.particles)
    // Nominal defocus 1.0 to 1.8 um (every other micrograph, from its sidecar).
    expect(site.charts.ctf.nominal!.bins.map((b) => b.nominal)).toEqual([1, 1.2, 1.4, 1.6, 1.8])
    expect(site.table.latest[0].name).toBe('FoilHole_999_Data.tiff')
    expect(site.table.pages.at(-1)).toMatchObject({page: 10, href: 'micrographs/10.html', rows: 100, firstFoundAt: data.micrographs[900].foundAt})
  })
})
