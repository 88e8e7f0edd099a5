// The micrograph pages, kept in the data folder and remade only when what they show changed: a
// manifest holds a hash of each page's inputs. Builds hard-link them in, so an unchanged page
// keeps its file (and its mtime: rsync skips it too). Runs in the export's worker thread, where
// nothing else waits: synchronous file calls cost a third of the CPU of promise-based ones.
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {PicksFile, ReportData} from './export-types.js'
import {micrographPage} from './micrograph-page.js'

/** Data-folder-relative folder of the pages (micrograph/<id>.html in the site). */
export const PAGES = 'pages'
const MANIFEST = 'pages.json'
/** Bump when the page template changes: every page is made again. */
const TEMPLATE_VERSION = 1

type PageManifest = Record<string, string>

export interface PagesResult {
  made: number
  removed: number
}

/** Brings `dir`/pages up to date with `data` (its rows' images already synced). */
export function syncPages(dir: string, data: ReportData): PagesResult {
  const folder = join(dir, PAGES)
  mkdirSync(folder, {recursive: true})
  const manifestPath = join(dir, MANIFEST)
  const previous = readManifest(manifestPath)
  const manifest: PageManifest = {}
  const shared = JSON.stringify([TEMPLATE_VERSION, data.project.title, data.optics])
  const due: number[] = []
  data.micrographs.forEach((row, index) => {
    const key = createHash('sha1')
      .update(shared)
      .update(JSON.stringify(row))
      .update(JSON.stringify(row.runs.map((i) => data.provenance[i])))
      .digest('base64url')
    manifest[String(row.id)] = key
    if (previous[String(row.id)] !== key) due.push(index)
  })
  for (const index of due) writePage(dir, folder, data, index)
  const removed = removeStale(folder, manifest)
  if (due.length > 0 || removed > 0) writeAtomically(manifestPath, JSON.stringify(manifest))
  return {made: due.length, removed}
}

function writePage(dir: string, folder: string, data: ReportData, index: number): void {
  const row = data.micrographs[index]
  const file = (path: string | null) => (path ? readFileSync(join(dir, path), 'utf8') : null)
  const picks = file(row.images.picks)
  const page = micrographPage({
    row,
    runs: row.runs.map((i) => data.provenance[i]),
    projectTitle: data.project.title,
    picks: picks === null ? null : (JSON.parse(picks) as PicksFile),
    ctfChart: file(row.images.ctf),
    driftChart: file(row.images.drift),
  })
  writeAtomically(join(folder, `${row.id}.html`), page)
}

/** Pages of micrographs no longer in the project (and leftovers of an interrupted write). */
function removeStale(folder: string, manifest: PageManifest): number {
  let removed = 0
  for (const name of readdirSync(folder)) {
    if (name.endsWith('.html') && name.slice(0, -5) in manifest) continue
    rmSync(join(folder, name), {force: true})
    removed++
  }
  return removed
}

/** A new file under its name in one step: a build hard-linking the old one keeps the old one. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, path)
}

function readManifest(path: string): PageManifest {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PageManifest
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
}
