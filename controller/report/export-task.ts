// The export's work, in a worker thread (run by export.ts through a WorkerPool): reads a copy of
// the project database and writes the data folder, so the controller's thread only copies.
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {openDatabase} from '../project/database.js'
import {agentOutputFolders} from '../project/queries.js'
import {AgentFiles} from './agent-files.js'
import {syncAssets, writeAtomically} from './assets.js'
import {REPORT_JSON} from './export-types.js'
import type {ExportOptions, ExportResult} from './export.js'
import {syncPages} from './pages.js'
import {ProjectReader} from './read-project.js'
import {siteData} from './summary/site-data.js'
import {syncTablePages} from './table-pages.js'

export interface ExportTask {
  /** The project database (sqlite file bytes), transferred to this thread. */
  database: Uint8Array
  dataDir: string
  options: ExportOptions
}

/** A reader per data folder, kept while this worker lives: each export reads only what changed. */
const readers = new Map<string, ProjectReader>()

export async function exportFromCopy({database, dataDir, options}: ExportTask): Promise<Omit<ExportResult, 'copyMs'>> {
  const db = await openDatabase(database)
  const started = performance.now()
  let read, folders
  let reader = readers.get(dataDir)
  if (!reader) readers.set(dataDir, (reader = new ProjectReader()))
  try {
    read = reader.read(db, options)
    folders = agentOutputFolders(db)
  } catch (error) {
    // Half a read leaves the reader unsure of what it holds: the next export reads everything.
    readers.delete(dataDir)
    throw error
  } finally {
    db.close()
  }
  const readMs = performance.now() - started
  const {data, sources, reread} = read
  await mkdir(dataDir, {recursive: true})
  const {made, problems} = await syncAssets(dataDir, data.micrographs, sources, data.optics, await AgentFiles.within(folders))
  const pages = syncPages(dataDir, data)
  const table = syncTablePages(dataDir, data)
  await writeAtomically(join(dataDir, REPORT_JSON), JSON.stringify(siteData(data)))
  return {micrographs: data.micrographs.length, imagesMade: made, pagesMade: pages.made, tablePagesMade: table.made, problems, readMs, reread}
}
