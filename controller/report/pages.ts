// The micrograph pages (micrograph/<id>.html in the site), kept in the data folder and remade
// only when their micrograph, its runs or the project title changed (page-set.ts).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {MicrographRow, PicksFile, Provenance, ReportData} from './export-types.js'
import {micrographPage} from './micrograph-page.js'
import {pageKey, syncPageSet, type PagesResult, type PageSpec} from './page-set.js'

/** Data-folder-relative folder of the pages, and their manifest. */
export const PAGES = 'pages'
export const PAGES_MANIFEST = 'pages.json'
/** Bump when the page template changes: every page is made again. */
const TEMPLATE_VERSION = 2

/** Brings `dir`/pages up to date with `data` (its rows' images already synced). */
export function syncPages(dir: string, data: ReportData): PagesResult {
  const shared = JSON.stringify([TEMPLATE_VERSION, data.project.title, data.optics])
  return syncPageSet(dir, PAGES, PAGES_MANIFEST, pageSpecs(dir, data, shared))
}

/** Page keys by row object (the export's reader keeps the rows of unchanged movies, syncAssets their images): hashed once per row, images and title. */
const keys = new WeakMap<MicrographRow, {images: MicrographRow['images']; shared: string; key: string}>()

function rowKey(row: MicrographRow, runs: Provenance[], shared: string): string {
  const known = keys.get(row)
  if (known?.images === row.images && known.shared === shared) return known.key
  const key = pageKey(shared, JSON.stringify(row), JSON.stringify(runs))
  keys.set(row, {images: row.images, shared, key})
  return key
}

function* pageSpecs(dir: string, data: ReportData, shared: string): Generator<PageSpec> {
  for (const row of data.micrographs) {
    const runs = row.runs.map((i) => data.provenance[i])
    yield {
      name: `${row.id}.html`,
      key: rowKey(row, runs, shared),
      render: () => {
        const file = (path: string | null) => (path ? readFileSync(join(dir, path), 'utf8') : null)
        const picks = file(row.images.picks)
        return micrographPage({
          row,
          runs,
          projectTitle: data.project.title,
          picks: picks === null ? null : (JSON.parse(picks) as PicksFile),
          ctfChart: file(row.images.ctf),
          driftChart: file(row.images.drift),
        })
      },
    }
  }
}
