// The micrograph pages, kept in the data folder and remade only when what they show changed: a
// manifest holds a hash of each page's inputs. Builds hard-link them in, so an unchanged page
// keeps its file (and its mtime: rsync skips it too).
import {createHash} from 'node:crypto'
import {mkdir, readdir, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import type {PicksFile, ReportData} from './export-types.js'
import {micrographPage} from './micrograph-page.js'
import {readJsonFile, writeAtomically} from './assets.js'
import {eachLimited} from './limited.js'

/** Data-folder-relative folder of the pages (micrograph/<id>.html in the site). */
export const PAGES = 'pages'
const MANIFEST = 'pages.json'
/** Bump when the page template changes: every page is made again. */
const TEMPLATE_VERSION = 1
const CONCURRENCY = 16

type PageManifest = Record<string, string>

export interface PagesResult {
  made: number
  removed: number
}

/** Brings `dir`/pages up to date with `data` (its rows' images already synced). */
export async function syncPages(dir: string, data: ReportData): Promise<PagesResult> {
  const folder = join(dir, PAGES)
  await mkdir(folder, {recursive: true})
  const manifestPath = join(dir, MANIFEST)
  const previous = await readJsonFile<PageManifest>(manifestPath, {})
  const manifest: PageManifest = {}
  const shared = JSON.stringify([TEMPLATE_VERSION, data.project.title, data.session.state, data.optics])
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
  await eachLimited(due, CONCURRENCY, (index) => writePage(dir, folder, data, index))
  const removed = await removeStale(folder, manifest)
  if (due.length > 0 || removed > 0) await writeAtomically(manifestPath, JSON.stringify(manifest))
  return {made: due.length, removed}
}

async function writePage(dir: string, folder: string, data: ReportData, index: number): Promise<void> {
  const row = data.micrographs[index]
  const file = (path: string | null) => (path ? readFile(join(dir, path), 'utf8') : Promise.resolve(null))
  const [picks, ctfChart, driftChart] = await Promise.all([file(row.images.picks), file(row.images.ctf), file(row.images.drift)])
  const page = micrographPage({
    row,
    runs: row.runs.map((i) => data.provenance[i]),
    projectTitle: data.project.title,
    session: data.session.state,
    picks: picks === null ? null : (JSON.parse(picks) as PicksFile),
    ctfChart,
    driftChart,
  })
  await writeAtomically(join(folder, `${row.id}.html`), page)
}

/** Pages of micrographs no longer in the project (and leftovers of an interrupted write). */
async function removeStale(folder: string, manifest: PageManifest): Promise<number> {
  let removed = 0
  for (const name of await readdir(folder)) {
    if (name.endsWith('.html') && name.slice(0, -5) in manifest) continue
    await rm(join(folder, name), {force: true})
    removed++
  }
  return removed
}
