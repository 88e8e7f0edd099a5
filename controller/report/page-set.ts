// A folder of pages the export writes itself (micrograph pages, micrograph table pages), each
// remade only when its inputs changed: a manifest holds a key (a hash of the inputs) per file;
// what is remade or removed is noted for the next build first (site-changes.ts).
// Builds link them in, so an unchanged page keeps its file (and its mtime: rsync skips it too).
// Runs in the export's worker thread, where nothing else waits: synchronous file calls cost a
// third of the CPU of promise-based ones.
import {createHash} from 'node:crypto'
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {keepJson, readCachedJson} from './json-cache.js'
import {noteChanges} from './site-changes.js'

/** Per file name in the folder: the key of the inputs it was made from. */
export type PageManifest = Record<string, string>

export interface PageSpec {
  /** File name in the folder. */
  name: string
  /** Changes whenever what the page shows does (pageKey of its inputs). */
  key: string
  render: () => string
}

export interface PagesResult {
  made: number
  removed: number
}

/** A short hash of the inputs of a page. */
export function pageKey(...inputs: string[]): string {
  const hash = createHash('sha1')
  for (const input of inputs) hash.update(input).update('\0')
  return hash.digest('base64url')
}

/** Brings `dir`/`folder` up to exactly `pages`, remaking those whose key changed; the manifest is `dir`/`manifestFile`. */
export function syncPageSet(dir: string, folder: string, manifestFile: string, pages: Iterable<PageSpec>): PagesResult {
  const path = join(dir, folder)
  mkdirSync(path, {recursive: true})
  const manifestPath = join(dir, manifestFile)
  const previous = readCachedJson<PageManifest>(manifestPath, {})
  const manifest: PageManifest = {}
  const due: PageSpec[] = []
  for (const page of pages) {
    manifest[page.name] = page.key
    if (previous[page.name] !== page.key) due.push(page)
  }
  const stale = Object.keys(previous).filter((name) => !(name in manifest))
  noteChanges(dir, [...due, ...stale.map((name) => ({name}))].map((page) => `${folder}/${page.name}`))
  for (const page of due) writeAtomically(join(path, page.name), page.render())
  for (const name of stale) rmSync(join(path, name), {force: true})
  if (due.length > 0 || stale.length > 0) {
    writeAtomically(manifestPath, JSON.stringify(manifest))
    keepJson(manifestPath, manifest)
  }
  return {made: due.length, removed: stale.length}
}

/** A new file under its name in one step: a build linking the old one keeps the old one. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, path)
}
