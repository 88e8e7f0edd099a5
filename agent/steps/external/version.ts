// A program's version, asked once per executable and process (it goes into every run's
// provenance). A program that cannot say reads as "unknown", never as a failure.
import {execa} from 'execa'
import type {ExternalProgramInfo} from './programs.js'

const cache = new Map<string, Promise<string>>()

export function parseVersion(info: ExternalProgramInfo, output: string): string {
  return info.versionPattern.exec(output)?.[1] ?? 'unknown'
}

export function programVersion(info: ExternalProgramInfo, executable: string): Promise<string> {
  const key = `${info.id}\0${executable}`
  let version = cache.get(key)
  if (!version) {
    version = execa(executable, info.versionArgs, {reject: false, timeout: 15_000, input: '', all: true, shell: false}).then((r) =>
      parseVersion(info, String(r.all ?? '')),
    )
    cache.set(key, version)
  }
  return version
}
