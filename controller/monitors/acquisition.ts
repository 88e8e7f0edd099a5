// Acquisition: a stalled microscope, the movie rate, failures, and when the output disk fills up.
import type {MonitorSettings} from '../../core/workflow/index.js'
import {fmt, listNames, type Finding} from './finding.js'
import {isAcquiring, type MonitorInput, type SampleRow} from './input.js'

const HOUR = 3_600_000
/** The disk fill rate is measured over at least this long, so that one large write is not a trend. */
const MIN_RATE_SPAN = 10 * 60_000

export function acquisitionFindings(input: MonitorInput, settings: MonitorSettings['acquisition']): Finding[] {
  if (!settings.enabled) return []
  return [...stalled(input, settings), ...rate(input, settings), ...failures(input, settings), ...diskFull(input, settings)]
}

function stalled(input: MonitorInput, settings: MonitorSettings['acquisition']): Finding[] {
  if (!isAcquiring(input)) return []
  const last = input.lastMovieFoundAt ?? input.session.startedAt
  if (last === null) return []
  const idleMinutes = (input.now - last) / 60_000
  if (idleMinutes < settings.maxIdleMinutes) return []
  return [
    {
      key: 'acquisition.stalled',
      severity: 'critical',
      message:
        `Acquisition stalled: no new movie for ${fmt(idleMinutes)} min (since ${new Date(last).toISOString()}; ` +
        `threshold ${fmt(settings.maxIdleMinutes)} min)`,
      since: last,
      value: idleMinutes,
      threshold: settings.maxIdleMinutes,
    },
  ]
}

function rate(input: MonitorInput, settings: MonitorSettings['acquisition']): Finding[] {
  const started = input.session.startedAt
  if (settings.minMoviesPerHour <= 0 || !isAcquiring(input) || started === null || input.now - started < HOUR) return []
  if (input.moviesFoundLastHour >= settings.minMoviesPerHour) return []
  return [
    {
      key: 'acquisition.rate',
      severity: 'warning',
      message: `Acquisition rate: ${input.moviesFoundLastHour} movies in the last hour, below ${fmt(settings.minMoviesPerHour)} per hour`,
      since: input.now - HOUR,
      value: input.moviesFoundLastHour,
      threshold: settings.minMoviesPerHour,
    },
  ]
}

function failures(input: MonitorInput, settings: MonitorSettings['acquisition']): Finding[] {
  const window = input.outcomes.slice(0, settings.window)
  const failed = window.filter((o) => o.failed)
  if (failed.length === 0 || failed.length / window.length <= settings.maxFailureRate) return []
  const movies = failed.map((o) => o.movie)
  const since = Math.min(...failed.map((o) => o.at))
  return [
    {
      key: 'acquisition.failures',
      severity: 'warning',
      message:
        `Processing failures: ${failed.length} of the last ${window.length} movies failed (rate above ${fmt(settings.maxFailureRate)}) ` +
        `since ${new Date(since).toISOString()}: ${listNames(movies)}; last error: ${failed[0].error ?? 'unknown'}`,
      movies,
      since,
      value: failed.length / window.length,
      threshold: settings.maxFailureRate,
    },
  ]
}

export interface DiskTrend {
  host: string
  path: string
  freeBytes: number
  /** Bytes per hour the free space shrinks by (negative when it grows). */
  usePerHour: number
  at: number
}

/** Fill rate of every output disk (not under the inputFolder) from the oldest and newest sample of the last hour. */
export function outputDiskTrends(samples: SampleRow[], inputFolder: string): DiskTrend[] {
  const series = new Map<string, {host: string; path: string; points: {at: number; free: number}[]}>()
  for (const s of samples) {
    for (const d of s.disks) {
      if (isUnder(d.path, inputFolder)) continue
      const id = `${s.host}:${d.path}`
      const entry = series.get(id) ?? {host: s.host, path: d.path, points: []}
      entry.points.push({at: s.at, free: d.freeBytes})
      series.set(id, entry)
    }
  }
  const trends: DiskTrend[] = []
  for (const {host, path, points} of series.values()) {
    const newest = points.reduce((a, b) => (b.at > a.at ? b : a))
    const oldest = points.reduce((a, b) => (b.at < a.at ? b : a))
    if (newest.at - oldest.at < MIN_RATE_SPAN) continue
    trends.push({host, path, freeBytes: newest.free, at: newest.at, usePerHour: ((oldest.free - newest.free) / (newest.at - oldest.at)) * HOUR})
  }
  return trends
}

function diskFull(input: MonitorInput, settings: MonitorSettings['acquisition']): Finding[] {
  if (settings.minHoursUntilDiskFull <= 0) return []
  return outputDiskTrends(input.samples, input.inputFolder)
    .filter((t) => t.usePerHour > 0 && t.freeBytes / t.usePerHour < settings.minHoursUntilDiskFull)
    .map((t) => {
      const hours = t.freeBytes / t.usePerHour
      return {
        key: `acquisition.diskFull:${t.host}:${t.path}`,
        severity: hours < settings.minHoursUntilDiskFull / 4 ? 'critical' : 'warning',
        message:
          `Output disk ${t.path} on ${t.host} is full in ${fmt(hours)} h at the current rate ` +
          `(${fmt(t.freeBytes / 1e9)} GB free, ${fmt(t.usePerHour / 1e9)} GB/h; threshold ${fmt(settings.minHoursUntilDiskFull)} h)`,
        since: t.at,
        value: hours,
        threshold: settings.minHoursUntilDiskFull,
      } satisfies Finding
    })
}

/** path is folder or inside it (textually; both as the agent and the workflow name them). */
export function isUnder(path: string, folder: string): boolean {
  const trim = (p: string) => p.replace(/\/+$/, '')
  return trim(path) === trim(folder) || path.startsWith(`${trim(folder)}/`)
}
