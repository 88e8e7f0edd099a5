// The export's work, in a worker thread (run by export.ts through a WorkerPool): reads a copy of
// the project database and writes the data folder, so the controller's thread only copies.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {openDatabase} from '../project/database.js'
import {agentOutputFolders} from '../project/queries.js'
import {AgentFiles} from './agent-files.js'
import {syncAssets, writeAtomically} from './assets.js'
import {REPORT_JSON, siteData} from './export-types.js'
import type {ExportOptions, ExportResult} from './export.js'
import {syncPages} from './pages.js'
import {readReportData} from './read-project.js'

export interface ExportTask {
  /** The project database (sqlite file bytes), transferred to this thread. */
  database: Uint8Array
  dataDir: string
  options: ExportOptions
}

export async function exportFromCopy({database, dataDir, options}: ExportTask): Promise<Omit<ExportResult, 'copyMs'>> {
  const db = await openDatabase(database)
  const started = performance.now()
  let read, folders
  try {
    read = readReportData(db, options)
    folders = agentOutputFolders(db)
  } finally {
    db.close()
  }
  const readMs = performance.now() - started
  const {data, sources} = read
  await mkdir(dataDir, {recursive: true})
  const {made, problems} = await syncAssets(dataDir, data.micrographs, sources, data.optics, await AgentFiles.within(folders))
  const pages = syncPages(dataDir, data)
  await writeAtomically(join(dataDir, REPORT_JSON), JSON.stringify(siteData(data)))
  return {micrographs: data.micrographs.length, imagesMade: made, pagesMade: pages.made, problems, readMs}
}
