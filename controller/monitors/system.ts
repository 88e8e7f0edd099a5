// Agent hosts: CPU, memory, swap, load, free disk and GPUs. Each value is the median of the host's
// last few samples, so one busy second does not alert; free disk uses the newest sample.
import type {MonitorSettings} from '../../core/workflow/index.js'
import {fmt, median, type Finding, type Severity} from './finding.js'
import type {SampleRow} from './input.js'

/** Samples per host summarised (with the agent's default interval, a few minutes). */
export const SYSTEM_WINDOW = 5
/** Samples older than this say nothing about the host now. */
const STALE_MS = 15 * 60_000
const GB = 1e9

export function systemFindings(samples: SampleRow[], settings: MonitorSettings['system'], now: number): Finding[] {
  if (!settings.enabled) return []
  const byHost = new Map<string, SampleRow[]>()
  for (const s of samples) {
    if (now - s.at > STALE_MS) continue
    const list = byHost.get(s.host) ?? []
    if (list.length < SYSTEM_WINDOW) list.push(s)
    byHost.set(s.host, list)
  }
  return [...byHost.entries()].flatMap(([host, window]) => hostFindings(host, window, settings))
}

function hostFindings(host: string, window: SampleRow[], settings: MonitorSettings['system']): Finding[] {
  const since = Math.min(...window.map((s) => s.at))
  const over = (key: string, what: string, value: number, threshold: number, unit: string, severity: Severity = 'warning'): Finding[] =>
    value > threshold
      ? [{key: `system.${key}:${host}`, severity, since, value, threshold, message: `${what} on ${host}: ${fmt(value)}${unit} (median of the last ${window.length} samples) above ${fmt(threshold)}${unit}`}]
      : []
  const m = (value: (s: SampleRow) => number) => median(window.map(value))
  const findings = [
    ...over('cpu', 'CPU use', m((s) => s.cpuPercent), settings.maxCpuPercent, '%'),
    ...over('memory', 'Memory use', m((s) => (100 * s.memoryUsedBytes) / Math.max(1, s.memoryTotalBytes)), settings.maxMemoryPercent, '%'),
    ...over('swap', 'Swap in use', m((s) => s.swapUsedBytes / GB), settings.maxSwapGB, ' GB'),
    ...(settings.maxLoadAverage > 0 ? over('load', 'Load average', m((s) => s.load1), settings.maxLoadAverage, '') : []),
  ]
  for (const disk of window[0].disks) {
    const freeGB = disk.freeBytes / GB
    if (freeGB < settings.minDiskFreeGB) {
      findings.push({
        key: `system.disk:${host}:${disk.path}`,
        severity: freeGB < settings.minDiskFreeGB / 5 ? 'critical' : 'warning',
        message: `Free disk on ${host} for ${disk.path}: ${fmt(freeGB)} GB, below ${fmt(settings.minDiskFreeGB)} GB`,
        since: window[0].at,
        value: freeGB,
        threshold: settings.minDiskFreeGB,
      })
    }
  }
  for (const gpu of window[0].gpus) findings.push(...gpuFindings(host, gpu.index, window, settings, since))
  return findings
}

function gpuFindings(host: string, index: number, window: SampleRow[], settings: MonitorSettings['system'], since: number): Finding[] {
  const readings = window.flatMap((s) => s.gpus.filter((g) => g.index === index).map((g) => ({...g, busy: s.pipelineRunning > 0})))
  const where = `GPU ${index} (${readings[0].name}) on ${host}`
  const key = (what: string) => `system.gpu.${what}:${host}:${index}`
  const findings: Finding[] = []
  const temperature = median(readings.map((g) => g.temperatureC))
  if (temperature > settings.maxGpuTemperature) {
    findings.push({key: key('temperature'), severity: 'critical', since, value: temperature, threshold: settings.maxGpuTemperature,
      message: `${where}: temperature ${fmt(temperature)} C above ${fmt(settings.maxGpuTemperature)} C`})
  }
  const memory = median(readings.map((g) => (100 * g.memoryUsedBytes) / Math.max(1, g.memoryTotalBytes)))
  if (memory > settings.maxGpuMemoryPercent) {
    findings.push({key: key('memory'), severity: 'warning', since, value: memory, threshold: settings.maxGpuMemoryPercent,
      message: `${where}: memory ${fmt(memory)}% used, above ${fmt(settings.maxGpuMemoryPercent)}%`})
  }
  // Low utilisation only matters while the agent has movies in hand.
  const utilization = median(readings.map((g) => g.utilizationPercent))
  if (settings.minGpuUtilizationPercent > 0 && readings.every((g) => g.busy) && utilization < settings.minGpuUtilizationPercent) {
    findings.push({key: key('utilization'), severity: 'warning', since, value: utilization, threshold: settings.minGpuUtilizationPercent,
      message: `${where}: utilisation ${fmt(utilization)}% while movies are processed, below ${fmt(settings.minGpuUtilizationPercent)}%`})
  }
  return findings
}
