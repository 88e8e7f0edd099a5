// The export's manifests (thousands of entries each), kept parsed between exports of the worker:
// the file is parsed again only when its size or mtime is not what this thread last wrote or read.
import {readFileSync, statSync} from 'node:fs'

const kept = new Map<string, {size: number; mtimeMs: number; value: unknown}>()

/** The JSON file at `path` (`fallback` when there is none); the same object while the file is unchanged. */
export function readCachedJson<T>(path: string, fallback: T): T {
  let stats
  try {
    stats = statSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    kept.delete(path)
    return fallback
  }
  const known = kept.get(path)
  if (known && known.size === stats.size && known.mtimeMs === stats.mtimeMs) return known.value as T
  const value = JSON.parse(readFileSync(path, 'utf8')) as T
  kept.set(path, {size: stats.size, mtimeMs: stats.mtimeMs, value})
  return value
}

/** Notes that `path` now holds `value` (just written by this thread). */
export function keepJson(path: string, value: unknown): void {
  const stats = statSync(path)
  kept.set(path, {size: stats.size, mtimeMs: stats.mtimeMs, value})
}
