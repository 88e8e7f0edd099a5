// The export's log of the per-micrograph files it is about to write or remove (data-folder
// relative paths, a line each), for the next build to link in just those: written before the
// files, so an export that dies half-way still names every file it may have touched. A build
// clears what it applied (site-sync.ts).
import {appendFileSync, readFileSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const SITE_CHANGES = 'site-changes.log'

/** Notes that the files at these data-relative paths change (are written or removed). */
export function noteChanges(dataDir: string, paths: string[]): void {
  if (paths.length > 0) appendFileSync(join(dataDir, SITE_CHANGES), paths.map((p) => p + '\n').join(''))
}

/** The paths noted since the log was last cleared, and how many bytes of it that was. */
export function readChanges(dataDir: string): {paths: Set<string>; bytes: number} {
  let text = ''
  try {
    text = readFileSync(join(dataDir, SITE_CHANGES), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // A line cut short by a dying export is left for the next build (it ends with no newline).
  const end = text.lastIndexOf('\n') + 1
  return {paths: new Set(text.slice(0, end).split('\n').filter((line) => line !== '')), bytes: Buffer.byteLength(text.slice(0, end))}
}

/** Drops the first `bytes` of the log (what a build applied); what was noted meanwhile stays. */
export function clearChanges(dataDir: string, bytes: number): void {
  const path = join(dataDir, SITE_CHANGES)
  let rest: Buffer
  try {
    rest = readFileSync(path).subarray(bytes)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  if (rest.length === 0) truncateSync(path, 0)
  else writeFileSync(path, rest)
}
