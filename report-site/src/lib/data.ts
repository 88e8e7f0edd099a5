// The controller's export, read once per build (every page imports this module): report.json
// is bounded (summaries, binned charts, the newest rows), so the build costs the same at any
// project size. The micrograph pages and the table pages are not Astro's: the export writes them.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {REPORT_JSON, type SiteData} from '../../../controller/report/export-types.ts'

export type {SiteData}

const dir = process.env.EMSTREAM_REPORT_DATA
if (!dir) throw new Error('EMSTREAM_REPORT_DATA is not set: build the report with `node report-site/build.mjs <data> <out>`')

export const report: SiteData = JSON.parse(readFileSync(join(dir, REPORT_JSON), 'utf8'))
