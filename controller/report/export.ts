// The export: project database -> the report's data folder (report.json for the Astro pages,
// per-micrograph images and pages). Ingest must not wait for it: the caller's thread only takes
// a copy of the database (SQLite's backup, tens of ms at 10,000 movies); reading the copy and
// writing the files happen in a worker thread (export-task.ts).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as nextTurn} from 'node:timers/promises'
import type {Database} from 'sql.js'
import {WorkerPool, WorkerTaskError} from '../../core/numeric/worker-pool.js'
import type {Workflow} from '../../core/workflow/index.js'
import type {AssetProblem} from './assets.js'
import {REPORT_JSON, type SiteData} from './export-types.js'

export interface ExportOptions {
  name: string
  workflow: Workflow
  publishPaths?: boolean
  now?: number
}

export interface ExportResult {
  micrographs: number
  /** Micrographs whose images were made in this export (new or changed). */
  imagesMade: number
  /** Micrograph pages made in this export (new or changed). */
  pagesMade: number
  /** Files of the micrographs table (pages and their rows' scripts) made in this export. */
  tablePagesMade: number
  problems: AssetProblem[]
  /** Micrographs read from the project again (new or changed since the worker's last export; all on its first). */
  reread: number
  /** Time on the caller's thread (the database copy) and reading the copy (in the worker). */
  copyMs: number
  readMs: number
}

export class ExportError extends Error {
  constructor(
    readonly dataDir: string,
    readonly problem: string,
  ) {
    super(`report export into ${dataDir} failed: ${problem}`)
    this.name = 'ExportError'
  }
}

const TASKS = new URL(`./export-task.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)

/**
 * Exports on a worker thread kept from one export to the next (starting one, with sql.js, costs
 * more than a rebuild's export); close() ends it. An idle worker does not keep the process alive.
 */
export class ReportExporter {
  private pool: WorkerPool | undefined

  /** Exports `db` into `dataDir`; `signal` ends an export in flight (the folder keeps the last complete files). */
  async export(db: Database, dataDir: string, options: ExportOptions, signal?: AbortSignal): Promise<ExportResult> {
    const started = performance.now()
    const database = await copyDatabase(db, dataDir)
    const copyMs = performance.now() - started
    const pool = (this.pool ??= new WorkerPool({modules: [TASKS], size: 1}))
    const stop = () => void this.close()
    signal?.addEventListener('abort', stop)
    try {
      const result = await pool.run<Omit<ExportResult, 'copyMs'>>('exportFromCopy', {database, dataDir, options}, [database.buffer as ArrayBuffer])
      return {...result, copyMs}
    } catch (error) {
      // The next export gets a fresh worker (this one may have died or never started).
      await this.close()
      throw error instanceof WorkerTaskError ? new ExportError(dataDir, error.problem) : error
    } finally {
      signal?.removeEventListener('abort', stop)
    }
  }

  async close(): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    await pool?.close()
  }
}

/** One export on a worker of its own. */
export async function exportReport(db: Database, dataDir: string, options: ExportOptions, signal?: AbortSignal): Promise<ExportResult> {
  const exporter = new ReportExporter()
  try {
    return await exporter.export(db, dataDir, options, signal)
  } finally {
    await exporter.close()
  }
}

/** report.json as the last export wrote it. */
export function readSiteData(dataDir: string): SiteData {
  return JSON.parse(readFileSync(join(dataDir, REPORT_JSON), 'utf8')) as SiteData
}

const COPY_ATTEMPTS = 1000

/**
 * A consistent copy of the database. SQLite cannot copy inside a write transaction, and the
 * project batches ingest into transactions that end on setImmediate: a timer turn comes after
 * the batch of the previous turn ended and before the next one begins.
 */
async function copyDatabase(db: Database, dataDir: string): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      return db.export()
    } catch (error) {
      const message = (error as Error).message
      if (!/busy|locked|transaction/i.test(message) || attempt >= COPY_ATTEMPTS) throw new ExportError(dataDir, `cannot copy the project database: ${message}`)
      await nextTurn(0)
    }
  }
}
