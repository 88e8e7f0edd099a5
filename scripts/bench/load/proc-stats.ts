// CPU time and memory of another process, read from /proc (Linux): the controller under load
// is a separate process, so its own process.cpuUsage() is out of reach.
import {readFileSync} from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux architecture Node runs on

export interface ProcSample {
  /** user + system CPU time so far (ms). */
  cpuMs: number
  rssBytes: number
  /** Peak resident set size so far (VmHWM). */
  peakRssBytes: number
  at: number
}

export function readProcStats(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of proc(5))
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024
  return {cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM'), at: performance.now()}
}

/** CPU used between two samples, as a percentage of one core. */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  return ((to.cpuMs - from.cpuMs) / (to.at - from.at)) * 100
}

/** 1-minute load average of the machine, for reading figures taken on a shared host. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
