// Rolling-window checks over the most recent micrographs: when the window's median is past the
// threshold, one alert covers the whole run of bad micrographs; isolated bad ones, with a good
// median, are counted as outliers under a separate, informational key.
import {fmt, listNames, median, type Finding, type Severity} from './finding.js'

export interface Measurement {
  movie: string
  /** When the result arrived (ms). */
  at: number
  value: number
}

export interface WindowCheck {
  key: string
  /** What is measured, e.g. "CTF fit resolution". */
  what: string
  unit: string
  /** Bad when the value is above (or below) the threshold. */
  bad: 'above' | 'below'
  threshold: number
  severity?: Severity
}

export function isBad(check: Pick<WindowCheck, 'bad' | 'threshold'>, value: number): boolean {
  return check.bad === 'above' ? value > check.threshold : value < check.threshold
}

/** `window` holds the newest measurements, newest first, already cut to the window length. */
export function windowFindings(check: WindowCheck, window: Measurement[]): Finding[] {
  const bad = window.filter((m) => isBad(check, m.value))
  if (bad.length === 0) return []
  const movies = bad.map((m) => m.movie)
  const since = Math.min(...bad.map((m) => m.at))
  const limit = `${check.bad} ${fmt(check.threshold)}${unit(check)}`
  const typical = median(window.map((m) => m.value))
  if (isBad(check, typical)) {
    return [
      {
        key: check.key,
        severity: check.severity ?? 'warning',
        message:
          `${check.what}: median ${fmt(typical)}${unit(check)} over the last ${window.length} micrographs is ${limit}; ` +
          `${bad.length} of them since ${new Date(since).toISOString()}: ${listNames(movies)}`,
        movies,
        since,
        value: typical,
        threshold: check.threshold,
      },
    ]
  }
  return [
    {
      key: `${check.key}.outliers`,
      severity: 'info',
      message: `${check.what}: ${bad.length} single micrograph(s) of the last ${window.length} ${limit}: ${listNames(movies)}`,
      movies,
      since,
      value: bad.length,
      threshold: check.threshold,
    },
  ]
}

const unit = (check: WindowCheck) => (check.unit ? ` ${check.unit}` : '')
