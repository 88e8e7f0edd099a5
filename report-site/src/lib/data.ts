// The controller's export, read once per build (every page imports this module).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {CtfRow, MicrographRow, PicksFile, Provenance, ReportData} from '../../../controller/report/export-types.ts'

export type {CtfRow, MicrographRow, PicksFile, Provenance, ReportData}

const dir = process.env.EMSTREAM_REPORT_DATA
if (!dir) throw new Error('EMSTREAM_REPORT_DATA is not set: build the report with `node report-site/build.mjs <data> <out>`')

export const dataDir: string = dir
export const report: ReportData = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))

/** Micrograph rows in the table's order (newest first) and per page. */
export const PAGE_SIZE = 100
export const newestFirst: MicrographRow[] = [...report.micrographs].reverse()
export const pageCount = Math.max(1, Math.ceil(newestFirst.length / PAGE_SIZE))

/** A per-micrograph SVG chart made by the export, to inline in the page (null when not made). */
export function readChart(file: string | null): string | null {
  return file ? readFileSync(join(dir, file), 'utf8') : null
}

export function readPicks(row: MicrographRow): PicksFile | null {
  return row.images.picks ? (JSON.parse(readFileSync(join(dir, row.images.picks), 'utf8')) as PicksFile) : null
}
