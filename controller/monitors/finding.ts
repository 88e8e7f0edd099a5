// What monitors return: the conditions that hold now. An alert fires when a finding's key
// appears and resolves when it disappears (transitions.ts), so a monitor keeps no state.
export type Severity = 'info' | 'warning' | 'critical'

export interface Finding {
  /** Stable identity of the condition, e.g. "ctf.resolution" or "system.disk:gpu-pc-1:/data/out". */
  key: string
  severity: Severity
  /** What, where, since when and the threshold, in one sentence for a person. */
  message: string
  /** The micrographs (movie ids) concerned, when the condition is about micrographs. */
  movies?: string[]
  /** When the condition began (ms since the epoch): the oldest bad measurement it covers. */
  since: number
  value?: number
  threshold?: number
}

/** At most `max` names, then "and N more" (messages stay short; details hold the full list). */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`
}

/** A number for a message: up to 3 significant decimals, no trailing zeros. */
export function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(Math.abs(value) >= 100 ? 0 : 2)))
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
