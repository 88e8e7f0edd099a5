// The export: project database -> report.json + per-micrograph images, in the report's data folder.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import type {Database} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {syncAssets, writeAtomically, type AssetProblem} from './assets.js'
import type {ReportData} from './export-types.js'
import {readReportData} from './read-project.js'

export const REPORT_JSON = 'report.json'

export interface ExportOptions {
  name: string
  workflow: Workflow
  publishPaths?: boolean
  now?: number
}

export interface ExportResult {
  data: ReportData
  /** Images made in this export (new or changed micrographs). */
  imagesMade: number
  problems: AssetProblem[]
}

/** Reads the project synchronously (one consistent view), then writes files without blocking ingest. */
export async function exportReport(db: Database, dataDir: string, options: ExportOptions): Promise<ExportResult> {
  const {data, sources} = readReportData(db, options)
  await mkdir(dataDir, {recursive: true})
  const {made, problems} = await syncAssets(dataDir, data.micrographs, sources, data.optics)
  await writeAtomically(join(dataDir, REPORT_JSON), JSON.stringify(data))
  return {data, imagesMade: made, problems}
}
