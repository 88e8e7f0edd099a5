// Alert transitions: a finding whose key has no open alert fires; an open alert whose key is no
// longer found resolves. Applying them (durably, through the journal) is the caller's part.
import type {Finding, Severity} from './finding.js'

export interface OpenAlert {
  id: number
  key: string
  severity: Severity
  message: string
  at: number
}

export interface AlertTransitions {
  fired: Finding[]
  resolved: OpenAlert[]
}

export function alertTransitions(open: OpenAlert[], findings: Finding[]): AlertTransitions {
  const openKeys = new Set(open.map((a) => a.key))
  const foundKeys = new Set(findings.map((f) => f.key))
  const seen = new Set<string>()
  const fired = findings.filter((f) => !openKeys.has(f.key) && !seen.has(f.key) && seen.add(f.key))
  return {fired, resolved: open.filter((a) => !foundKeys.has(a.key))}
}
