// The micrographs table as pages of TABLE_PAGE_SIZE rows in acquisition order (page 1 the
// oldest), written by the export (page-set.ts): a new micrograph only changes the newest page,
// so older pages keep their files, whatever the session's size. Each page has a script with its
// rows (micrographs/<n>.js), which report.js loads to sort and filter over every micrograph.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {MicrographRow, ReportData, TableIndex, TableRow} from './export-types.js'
import {time} from './format.js'
import {html} from './html.js'
import {lastChange} from './micrograph-page.js'
import {micrographTable} from './micrograph-table.js'
import {pageDocument} from './page-shell.js'
import {pageKey, syncPageSet, type PagesResult, type PageSpec} from './page-set.js'
import {isAccepted, tableRow} from './table-rows.js'

/** Data-folder-relative folder of the table pages, its manifest, and the site folder they go to. */
export const TABLE = 'table'
export const TABLE_MANIFEST = 'table.json'
export const TABLE_PAGES = 'micrographs'
export const TABLE_PAGE_SIZE = 100
/** Bump when the page template changes: every table page is made again. */
const TEMPLATE_VERSION = 1

/** Rows of page n (1-based) of the micrographs in acquisition order. */
const pageRows = (micrographs: MicrographRow[], n: number) => micrographs.slice((n - 1) * TABLE_PAGE_SIZE, n * TABLE_PAGE_SIZE)
const pageCount = (micrographs: MicrographRow[]) => Math.ceil(micrographs.length / TABLE_PAGE_SIZE)

/** What micrographs.html shows: the newest rows and a line per page. */
export function tableIndex(micrographs: MicrographRow[]): TableIndex {
  const pages = Array.from({length: pageCount(micrographs)}, (_, i) => {
    const rows = pageRows(micrographs, i + 1)
    return {
      page: i + 1,
      href: `${TABLE_PAGES}/${i + 1}.html`,
      rows: rows.length,
      firstFoundAt: rows[0].foundAt,
      lastFoundAt: rows[rows.length - 1].foundAt,
      rejected: rows.filter((m) => !isAccepted(m)).length,
    }
  })
  return {pageSize: TABLE_PAGE_SIZE, latest: micrographs.slice(-TABLE_PAGE_SIZE).reverse().map(tableRow), pages}
}

/** Brings `dir`/table up to date with `data`: page n and its rows' script, remade only when they change. */
export function syncTablePages(dir: string, data: ReportData): PagesResult {
  return syncPageSet(dir, TABLE, TABLE_MANIFEST, tablePageSpecs(data))
}

/** What a page was made from last time: the same row objects give the same page (rows are made once per row object). */
interface PageInputs {
  rows: TableRow[]
  script: string
  scriptKey: string
  updatedAt: number
}
const lastInputs = new Map<number, PageInputs>()

function pageInputs(data: ReportData, n: number, micrographs: MicrographRow[]): PageInputs {
  const rows = micrographs.map(tableRow).reverse()
  const known = lastInputs.get(n)
  if (known && known.rows.length === rows.length && known.rows.every((r, i) => r === rows[i])) return known
  const script = rowsScript(n, rows)
  const inputs = {rows, script, scriptKey: pageKey(script), updatedAt: Math.max(...micrographs.map((m) => lastChange(m, m.runs.map((i) => data.provenance[i]))))}
  lastInputs.set(n, inputs)
  return inputs
}

function* tablePageSpecs(data: ReportData): Generator<PageSpec> {
  const count = pageCount(data.micrographs)
  for (let n = 1; n <= count; n++) {
    const micrographs = pageRows(data.micrographs, n)
    const {rows, script, scriptKey, updatedAt} = pageInputs(data, n, micrographs)
    const newer = n < count
    yield {name: `${n}.js`, key: scriptKey, render: () => script}
    yield {
      name: `${n}.html`,
      key: pageKey(String(TEMPLATE_VERSION), data.project.title, scriptKey, String(updatedAt), String(newer)),
      render: () => tablePage(data.project.title, n, rows, micrographs, updatedAt, newer),
    }
  }
}

function tablePage(projectTitle: string, n: number, rows: TableRow[], micrographs: MicrographRow[], updatedAt: number, newer: boolean): string {
  const first = (n - 1) * TABLE_PAGE_SIZE + 1
  const range = `${first}–${first + rows.length - 1}`
  const pager = html`<nav class="pager" aria-label="Pages"><a href="../micrographs.html">« newest</a>${newer && html`<a href="${`${n + 1}.html`}">‹ newer</a>`}<strong>page ${n}</strong>${
    n > 1 && html`<a href="${`${n - 1}.html`}">older ›</a>`
  }<a href="1.html">oldest »</a></nav>`
  return pageDocument({
    title: `Micrographs ${range}`,
    projectTitle,
    session: null,
    updatedAt,
    base: '../',
    nav: 'micrographs.html',
    main: html`<h2>Micrographs ${range}</h2><p>Found ${time(micrographs[0].foundAt)} to ${time(micrographs[micrographs.length - 1].foundAt)}, newest first; page 1 holds the first ${TABLE_PAGE_SIZE} of the session.</p>${pager}${micrographTable(rows, '../', {total: rows.length, pages: 0})}${pager}`,
  })
}

const ROWS_PREFIX = (n: number) => `(window.emstreamRows = window.emstreamRows || {})[${n}] = `

/** Every row of the table as the last export into `dataDir` wrote it, newest first. */
export function readTableRows(dataDir: string): TableRow[] {
  const folder = join(dataDir, TABLE)
  const pages = readdirSync(folder).filter((f) => /^\d+\.js$/.test(f)).map((f) => Number.parseInt(f)).sort((a, b) => b - a)
  return pages.flatMap((n) => JSON.parse(readFileSync(join(folder, `${n}.js`), 'utf8').slice(ROWS_PREFIX(n).length).trim().replace(/;$/, '')) as TableRow[])
}

/** The page's rows for report.js, as a script (fetch() is refused from file://); "<" escaped so no string closes the script element. */
function rowsScript(n: number, rows: TableRow[]): string {
  return `${ROWS_PREFIX(n)}${JSON.stringify(rows).replace(/</g, '\\u003c')};\n`
}
