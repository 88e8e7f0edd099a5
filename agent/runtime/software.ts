// emstream's version (from the root package.json), reported in hello and as the version of built-in programs.
import {readFileSync} from 'node:fs'

let version: string | undefined

export function softwareVersion(): string {
  if (version) return version
  // From agent/runtime/ (sources) or dist/agent/runtime/ (compiled), the root package.json is 2 or 3 levels up.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {name?: string; version?: string}
      if (pkg.name === 'emstream' && pkg.version) return (version = `emstream ${pkg.version}`)
    } catch {
      // try the next level
    }
  }
  return (version = 'emstream (unknown version)')
}
