// The controller's export, read once per build (every page imports this module). The
// micrograph pages are not Astro's: the export writes them (controller/report/pages.ts).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPORT_JSON, type SiteData, type SiteMicrograph} from '../../../controller/report/export-types.ts'

export type {SiteData, SiteMicrograph}

const dir = process.env.EMSTREAM_REPORT_DATA
if (!dir) throw new Error('EMSTREAM_REPORT_DATA is not set: build the report with `node report-site/build.mjs <data> <out>`')

export const report: SiteData = JSON.parse(readFileSync(join(dir, REPORT_JSON), 'utf8'))

/** Micrograph rows in the table's order (newest first) and per page. */
export const PAGE_SIZE = 100
export const newestFirst: SiteMicrograph[] = [...report.micrographs].reverse()
export const pageCount = Math.max(1, Math.ceil(newestFirst.length / PAGE_SIZE))
