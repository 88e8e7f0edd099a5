// Reads everything the report shows out of the project database (a copy, in the export's
// worker), one pass per table over the movies that changed since the last read.
import type {Database, SqlValue} from 'sql.js'
import {STEP_NAMES, type Workflow} from '../../core/workflow/index.js'
import {curateExposure, type Exposure} from '../curation/curate.js'
import {currentThresholds} from '../curation/thresholds.js'
import {
  REPORT_DATA_VERSION,
  type GridSquareSummary,
  type LabelledValue,
  type MicrographRow,
  type Provenance,
  type ReportAlert,
  type ReportData,
  type ReportSession,
  type StepSummary,
  type SystemPoint,
} from './export-types.js'
import {fileName, redactPaths} from './redact.js'

export interface ReadOptions {
  name: string
  workflow: Workflow
  /** Keep absolute paths of the acquisition machine (off: only file names are published). */
  publishPaths?: boolean
  now?: number
}

/** What the export needs besides the published data: where the previews are on this machine. */
export interface ImageSources {
  id: number
  preview: string | null
  psd: string | null
  coordinates: string | null
  micrograph: string | null
  /** Changes whenever a source changes (the results' finish times). */
  stamp: string
}

type Row = Record<string, SqlValue>

function each(db: Database, sql: string, visit: (row: Row) => void): void {
  const statement = db.prepare(sql)
  try {
    // Column names once per query: getAsObject() reads them out of SQLite again for every row.
    const names = statement.getColumnNames()
    while (statement.step()) {
      const values = statement.get()
      const row: Row = {}
      for (let i = 0; i < names.length; i++) row[names[i]] = values[i]
      visit(row)
    }
  } finally {
    statement.free()
  }
}

function all(db: Database, sql: string): Row[] {
  const out: Row[] = []
  each(db, sql, (r) => out.push(r))
  return out
}

const num = (v: SqlValue): number | null => (v === null || v === undefined ? null : Number(v))
const str = (v: SqlValue): string | null => (v === null || v === undefined ? null : String(v))

/**
 * Reads the project for the report and keeps what it read: a later read() of the same project
 * reads again only the movies whose fingerprint (computed by SQLite, one string for the whole
 * project) changed, so an export's cost follows the changes, not the project's size. Rows of
 * unchanged movies are the same objects as before (later stages memoise on them); a changed
 * movie gets a new one.
 */
export class ProjectReader {
  private readonly rows = new Map<number, MicrographRow>()
  private fingerprints = new Map<number, string>()
  private readonly sources = new Map<number, ImageSources>()
  private readonly provenance: Provenance[] = []
  private readonly provenanceIndex = new Map<string, number>()
  private readonly system: SystemPoint[] = []
  private lastSampleId = 0
  private thresholds = ''
  private publishPaths: boolean | undefined

  read(db: Database, options: ReadOptions): {data: ReportData; sources: ImageSources[]; reread: number} {
    if (this.publishPaths !== undefined && this.publishPaths !== Boolean(options.publishPaths)) this.forget()
    this.publishPaths = Boolean(options.publishPaths)
    const clean = options.publishPaths ? (s: string) => s : redactPaths
    const now = options.now ?? Date.now()
    const reread = this.readChangedMovies(db, clean)
    const curation = this.curate(db, options.workflow, clean, reread)
    for (const p of readSystem(db, this.lastSampleId)) {
      this.lastSampleId = Math.max(this.lastSampleId, p.id)
      this.system.push(p.point)
    }
    if (this.system.some((p, i) => i > 0 && p.at < this.system[i - 1].at)) this.system.sort((a, b) => a.at - b.at)
    const micrographs = [...this.rows.values()].sort((a, b) => a.foundAt - b.foundAt || a.id - b.id)
    const session = readSession(db)
    return {
      data: {
        version: REPORT_DATA_VERSION,
        generatedAt: now,
        project: {name: options.name, title: options.workflow.report?.title ?? options.name},
        session,
        acquisition: acquisitionValues(options.workflow),
        optics: {
          voltage: options.workflow.acquisition.voltage,
          sphericalAberration: options.workflow.acquisition.sphericalAberration,
          amplitudeContrast: options.workflow.acquisition.amplitudeContrast,
        },
        steps: stepSummaries(micrographs, this.provenance, session, now),
        alerts: readAlerts(db, clean),
        curation,
        micrographs,
        provenance: this.provenance,
        system: this.system,
        gridSquares: gridSquares(micrographs),
      },
      sources: [...this.sources.values()].filter((s) => this.rows.has(s.id)),
      reread: reread.size,
    }
  }

  private forget(): void {
    this.rows.clear()
    this.fingerprints.clear()
    this.sources.clear()
    this.thresholds = ''
  }

  /** Reads the movies that are new or changed since the last read (all of them the first time); drops removed ones. */
  private readChangedMovies(db: Database, clean: (s: string) => string): Set<number> {
    const current = movieFingerprints(db)
    const due = [...current].filter(([id, fingerprint]) => this.fingerprints.get(id) !== fingerprint).map(([id]) => id)
    for (const id of this.rows.keys()) if (!current.has(id)) (this.rows.delete(id), this.sources.delete(id))
    this.fingerprints = current
    if (due.length === 0) return new Set()
    // The ids are integers from SQLite: safe in the statement.
    const only = due.length === current.size ? '' : ` IN (${due.join(',')})`
    const fresh = new Map(readMovies(db, clean, only && `WHERE id${only}`).map((m) => [m.id, m]))
    for (const [id, row] of fresh) (this.rows.set(id, row), this.sources.delete(id))
    const source = (id: number) => {
      let s = this.sources.get(id)
      if (!s) this.sources.set(id, (s = {id, preview: null, psd: null, coordinates: null, micrograph: null, stamp: ''}))
      return s
    }
    const where = only && ` AND movie_id${only}`
    readMotion(db, fresh, source, where)
    readCtf(db, fresh, source, where)
    readPicks(db, fresh, source, where)
    readPreviews(db, fresh, source, where)
    readSidecars(db, fresh, only && `WHERE movie_id${only}`)
    readProvenance(db, fresh, clean, only && `WHERE movie_id${only}`, this.provenance, this.provenanceIndex)
    return new Set(fresh.keys())
  }

  /** Accepted / rejected with the reasons, by controller/curation with the thresholds in force: for the movies read again, or all when the thresholds changed. */
  private curate(db: Database, workflow: Workflow, clean: (s: string) => string, reread: Set<number>): ReportData['curation'] {
    const thresholds = currentThresholds(db, workflow)
    const key = JSON.stringify(thresholds)
    const all = key !== this.thresholds
    this.thresholds = key
    for (const [id, row] of this.rows) {
      if (!all && !reread.has(id)) continue
      const decision = row.state === 'done' || row.state === 'failed' ? curateExposure(exposure(row), thresholds) : null
      const accepted = decision ? decision.accepted : null
      const rejectReason = decision && !decision.accepted ? clean(decision.reasons.map((reason) => reason.message).join('; ')) : null
      // A new object for a changed decision: what memoises on the row sees the change.
      if (row.accepted !== accepted || row.rejectReason !== rejectReason) this.rows.set(id, {...row, accepted, rejectReason})
    }
    let rejected = 0
    for (const row of this.rows.values()) if (row.accepted === false) rejected++
    return {available: true, accepted: this.rows.size - rejected, rejected}
  }
}

/** Everything the report shows, read in full. */
export function readReportData(db: Database, options: ReadOptions): {data: ReportData; sources: ImageSources[]} {
  return new ProjectReader().read(db, options)
}

/** A movie as controller/curation sees it. */
function exposure(m: MicrographRow): Exposure {
  return {
    movie: m.name,
    state: m.state as Exposure['state'],
    failedStep: m.failedStep,
    error: m.error,
    ...(m.motion ? {motion: {totalMotion: m.motion.total, earlyMotion: m.motion.early}} : {}),
    ...(m.ctf ? {ctf: {defocusU: m.ctf.defocusU, defocusV: m.ctf.defocusV, astigmatism: m.ctf.astigmatism, resolution: m.ctf.resolution}} : {}),
    ...(m.picks ? {particles: {count: m.picks.count}} : {}),
  }
}

const hasSidecars = (db: Database) => all(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'movie_sidecars'").length > 0

/**
 * Per movie, a string that changes whenever anything the report shows of it does (its row, a
 * result version, a step run, its sidecar). One plain scan per table (a lookup per movie and
 * table costs three times as much), joined by SQLite into one string: one value out of sql.js,
 * not a row per movie (each row costs tens of microseconds).
 */
function movieFingerprints(db: Database): Map<number, string> {
  const parts = [
    "SELECT id, 'M' || replace(movie, char(10), ' ') || ':' || state || ':' || updated_at || ':' || found_at || ':' || coalesce(failed_step, '') || ':' || length(coalesce(error, '')) AS part FROM movies",
    ...['micrographs', 'ctf', 'particles', 'previews'].map((table) => `SELECT movie_id, '${table[0]}' || version || '@' || finished_at FROM ${table}`),
    "SELECT movie_id, step || version || state || attempt || ':' || coalesce(started_at, '') || ':' || coalesce(ended_at, '') || ':' || length(coalesce(error, '')) FROM step_runs",
    ...(hasSidecars(db) ? ["SELECT movie_id, 's' || coalesce(nominal_defocus, '') || ':' || coalesce(grid_square, '') FROM movie_sidecars"] : []),
  ]
  const [result] = db.exec(`SELECT group_concat(id || ' ' || part, char(10)) FROM (${parts.join(' UNION ALL ')})`)
  const text = result?.values[0]?.[0]
  const all = new Map<number, string>()
  const movies = new Set<number>()
  if (typeof text !== 'string') return all
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ')
    const id = Number(line.slice(0, space))
    const part = line.slice(space + 1)
    if (part.startsWith('M')) movies.add(id)
    all.set(id, (all.get(id) ?? '') + '|' + part)
  }
  // Results of movies no longer in the project are not the report's.
  for (const id of all.keys()) if (!movies.has(id)) all.delete(id)
  return all
}

function readMovies(db: Database, clean: (s: string) => string, where: string): MicrographRow[] {
  return all(db, `SELECT id, movie, found_at, state, failed_step, error FROM movies ${where}`).map((r) => ({
    id: Number(r.id),
    name: fileName(String(r.movie)),
    foundAt: Number(r.found_at),
    state: r.state as MicrographRow['state'],
    failedStep: str(r.failed_step),
    error: r.error === null ? null : clean(String(r.error)),
    motion: null,
    ctf: null,
    picks: null,
    images: {preview: null, psd: null, picks: null, drift: null, ctf: null},
    accepted: null,
    rejectReason: null,
    nominalDefocus: null,
    gridSquare: null,
    runs: [],
  }))
}

// Each result table keeps one row per step version; the newest version wins.
const LATEST = (table: string, columns: string, where: string) =>
  `SELECT ${columns} FROM ${table} t WHERE version = (SELECT max(version) FROM ${table} u WHERE u.movie_id = t.movie_id)${where}`

function readMotion(db: Database, byId: Map<number, MicrographRow>, source: (id: number) => ImageSources, where: string): void {
  each(db, LATEST('micrographs', 'movie_id, path, pixel_size, frames, dose_per_frame, total_motion, early_motion, late_motion, shifts, finished_at', where), (r) => {
    const m = byId.get(Number(r.movie_id))
    if (!m) return
    const blob = r.shifts as Uint8Array
    const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength))
    const shifts: [number, number][] = []
    for (let i = 0; i + 1 < floats.length; i += 2) shifts.push([round(floats[i], 3), round(floats[i + 1], 3)])
    m.motion = {
      finishedAt: Number(r.finished_at),
      total: Number(r.total_motion),
      early: Number(r.early_motion),
      late: Number(r.late_motion),
      pixelSize: Number(r.pixel_size),
      frames: Number(r.frames),
      dosePerFrame: Number(r.dose_per_frame),
      shifts,
    }
    const s = source(m.id)
    s.micrograph = String(r.path)
    s.stamp += `m${r.finished_at}`
  })
}

function readCtf(db: Database, byId: Map<number, MicrographRow>, source: (id: number) => ImageSources, where: string): void {
  each(db, LATEST('ctf', 'movie_id, defocus_u, defocus_v, defocus_angle, astigmatism, phase_shift, resolution, figure_of_merit, finished_at', where), (r) => {
    const m = byId.get(Number(r.movie_id))
    if (!m) return
    m.ctf = {
      finishedAt: Number(r.finished_at),
      defocusU: Number(r.defocus_u),
      defocusV: Number(r.defocus_v),
      defocusAngle: Number(r.defocus_angle),
      astigmatism: Number(r.astigmatism),
      phaseShift: Number(r.phase_shift),
      resolution: Number(r.resolution),
      figureOfMerit: Number(r.figure_of_merit),
    }
    source(m.id).stamp += `c${r.finished_at}`
  })
}

function readPicks(db: Database, byId: Map<number, MicrographRow>, source: (id: number) => ImageSources, where: string): void {
  each(db, LATEST('particles', 'movie_id, count, coordinates_file, mean_score, mean_diameter, finished_at', where), (r) => {
    const m = byId.get(Number(r.movie_id))
    if (!m) return
    m.picks = {finishedAt: Number(r.finished_at), count: Number(r.count), meanScore: num(r.mean_score), meanDiameter: num(r.mean_diameter)}
    const s = source(m.id)
    s.coordinates = String(r.coordinates_file)
    s.stamp += `p${r.finished_at}`
  })
}

function readPreviews(db: Database, byId: Map<number, MicrographRow>, source: (id: number) => ImageSources, where: string): void {
  each(db, LATEST('previews', 'movie_id, micrograph_preview, psd_preview, finished_at', where), (r) => {
    if (!byId.has(Number(r.movie_id))) return
    const s = source(Number(r.movie_id))
    s.preview = String(r.micrograph_preview)
    s.psd = str(r.psd_preview)
    s.stamp += `v${r.finished_at}`
  })
}

/** Nominal defocus and grid square from EPU XML / .mdoc sidecars (the table exists once one was received). */
function readSidecars(db: Database, byId: Map<number, MicrographRow>, where: string): void {
  if (!hasSidecars(db)) return
  each(db, `SELECT movie_id, nominal_defocus, grid_square FROM movie_sidecars ${where}`, (r) => {
    const m = byId.get(Number(r.movie_id))
    if (!m) return
    m.nominalDefocus = num(r.nominal_defocus)
    m.gridSquare = str(r.grid_square)
  })
}

// Every run of every step at every version, in pipeline order then oldest first. The current
// version is the newest finished one per movie and step, as for the result tables (LATEST).
const STEP_RANK = `CASE step ${STEP_NAMES.map((name, i) => `WHEN '${name}' THEN ${i}`).join(' ')} ELSE ${STEP_NAMES.length} END`
const STEP_RUNS_SQL = (where: string) => `SELECT movie_id, step, version, state, attempt, program, program_version, argv, parameters, started_at, ended_at, host, error,
    max(CASE WHEN state = 'done' THEN version END) OVER (PARTITION BY movie_id, step) AS current_version
  FROM step_runs ${where} ORDER BY movie_id, ${STEP_RANK}, step, version`

/** Adds the runs of the movies in `byId` to `records` (shared, deduplicated through `index`). */
function readProvenance(db: Database, byId: Map<number, MicrographRow>, clean: (s: string) => string, where: string, records: Provenance[], index: Map<string, number>): void {
  each(db, STEP_RUNS_SQL(where), (r) => {
    const m = byId.get(Number(r.movie_id))
    if (!m) return
    const argv = r.argv === null ? null : (JSON.parse(String(r.argv)) as string[]).map(clean)
    // Timings differ per movie; the rest is usually shared, so only timings make records distinct.
    const record: Provenance = {
      step: String(r.step),
      version: Number(r.version),
      current: r.current_version !== null && Number(r.current_version) === Number(r.version),
      state: String(r.state),
      attempt: Number(r.attempt),
      program: str(r.program),
      programVersion: str(r.program_version),
      argv,
      parameters: r.parameters === null ? null : clean(String(r.parameters)),
      startedAt: num(r.started_at),
      endedAt: num(r.ended_at),
      host: str(r.host),
      error: r.error === null ? null : clean(String(r.error)),
    }
    const key = JSON.stringify(record)
    let i = index.get(key)
    if (i === undefined) index.set(key, (i = records.push(record) - 1))
    m.runs.push(i)
  })
}

function readSession(db: Database): ReportSession {
  const [r] = all(db, 'SELECT state, created_at, scheduled_at, started_at, input_closed_at, input_closed_reason, closed_at FROM sessions ORDER BY id DESC LIMIT 1')
  const [last] = all(
    db,
    `SELECT max(x) AS at FROM (SELECT max(updated_at) AS x FROM movies UNION ALL SELECT max(ended_at) FROM step_runs
     UNION ALL SELECT max(at) FROM system_samples UNION ALL SELECT max(at) FROM alerts)`,
  )
  return {
    state: r.state as ReportSession['state'],
    createdAt: num(r.created_at),
    scheduledAt: num(r.scheduled_at),
    startedAt: num(r.started_at),
    inputClosedAt: num(r.input_closed_at),
    inputClosedReason: str(r.input_closed_reason),
    closedAt: num(r.closed_at),
    lastUpdateAt: num(last?.at ?? null),
  }
}

function acquisitionValues(workflow: Workflow): LabelledValue[] {
  const a = workflow.acquisition
  const values: LabelledValue[] = [
    {label: 'Pixel size', value: String(a.pixelSize), unit: 'Å/px'},
    {label: 'Voltage', value: String(a.voltage), unit: 'kV'},
    {label: 'Spherical aberration', value: String(a.sphericalAberration), unit: 'mm'},
    {label: 'Amplitude contrast', value: String(a.amplitudeContrast), unit: ''},
    {label: 'Dose per frame', value: String(a.dosePerFrame), unit: 'e⁻/Å²'},
    {label: 'Pre-exposure', value: String(a.preExposure ?? 0), unit: 'e⁻/Å²'},
    {label: 'File patterns', value: a.filePatterns.join(' '), unit: ''},
  ]
  if (a.gainReference) values.push({label: 'Gain reference', value: fileName(a.gainReference), unit: ''})
  return values
}

const HOUR = 3_600_000

/** Per step, from every run of the project's movies (all versions): counts, rates and the last hour's trend. */
function stepSummaries(micrographs: MicrographRow[], provenance: Provenance[], session: ReportSession, now: number): StepSummary[] {
  const start = session.startedAt ?? session.scheduledAt ?? now
  const end = session.closedAt ?? now
  const hours = Math.max((end - start) / HOUR, 1 / 60)
  const steps = new Map<string, {done: number; failed: number; running: number; last: number; previous: number; firstStart: number}>()
  for (const m of micrographs) {
    for (const i of m.runs) {
      const r = provenance[i]
      let s = steps.get(r.step)
      if (!s) steps.set(r.step, (s = {done: 0, failed: 0, running: 0, last: 0, previous: 0, firstStart: Infinity}))
      if (r.startedAt !== null && r.startedAt < s.firstStart) s.firstStart = r.startedAt
      if (r.state === 'failed') s.failed++
      if (r.state === 'running' || r.state === 'retrying') s.running++
      if (r.state !== 'done') continue
      s.done++
      if (r.endedAt !== null && r.endedAt > end - HOUR) s.last++
      else if (r.endedAt !== null && r.endedAt > end - 2 * HOUR) s.previous++
    }
  }
  return [...steps]
    .sort((a, b) => a[1].firstStart - b[1].firstStart)
    .map(([step, {done, failed, running, last, previous}]) => {
      const trend = last === 0 && previous === 0 ? 'none' : Math.abs(last - previous) <= 0.1 * Math.max(last, previous) ? 'steady' : last > previous ? 'up' : 'down'
      return {step, done, failed, running, ratePerHour: round(done / hours, 1), lastHourPerHour: last, trend}
    })
}

function readAlerts(db: Database, clean: (s: string) => string): ReportAlert[] {
  return all(db, 'SELECT id, at, monitor, severity, message, movie, value, threshold, resolved_at FROM alerts ORDER BY at DESC, id DESC').map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    monitor: String(r.monitor),
    severity: r.severity as ReportAlert['severity'],
    message: clean(String(r.message)),
    movie: r.movie === null ? null : fileName(String(r.movie)),
    value: num(r.value),
    threshold: num(r.threshold),
    resolvedAt: num(r.resolved_at),
  }))
}

interface DiskSample {
  path: string
  freeBytes: number
  totalBytes: number
}
interface GpuSample {
  utilizationPercent: number
  memoryUsedBytes: number
  memoryTotalBytes: number
  temperatureC: number
}

const mean = (xs: number[]) => (xs.length === 0 ? null : round(xs.reduce((a, b) => a + b, 0) / xs.length, 1))

/** The system samples after row `afterId` (they are only ever added). */
function readSystem(db: Database, afterId: number): {id: number; point: SystemPoint}[] {
  const points: {id: number; point: SystemPoint}[] = []
  each(db, `SELECT id, host, at, cpu_percent, memory_used_bytes, memory_total_bytes, disks, gpus FROM system_samples WHERE id > ${afterId} ORDER BY at`, (r) => {
    const disks = JSON.parse(String(r.disks)) as DiskSample[]
    const gpus = JSON.parse(String(r.gpus)) as GpuSample[]
    const fullest = disks.reduce<DiskSample | null>((a, d) => (a === null || d.freeBytes / d.totalBytes < a.freeBytes / a.totalBytes ? d : a), null)
    points.push({id: Number(r.id), point: {
      host: String(r.host),
      at: Number(r.at),
      cpuPercent: Number(r.cpu_percent),
      memoryUsedBytes: Number(r.memory_used_bytes),
      memoryTotalBytes: Number(r.memory_total_bytes),
      diskUsedPercent: fullest && fullest.totalBytes > 0 ? round(100 * (1 - fullest.freeBytes / fullest.totalBytes), 1) : null,
      diskFreeBytes: fullest?.freeBytes ?? null,
      gpuPercent: mean(gpus.map((g) => g.utilizationPercent)),
      gpuMemoryPercent: mean(gpus.filter((g) => g.memoryTotalBytes > 0).map((g) => (100 * g.memoryUsedBytes) / g.memoryTotalBytes)),
      gpuTemperatureC: mean(gpus.map((g) => g.temperatureC)),
    }})
  })
  return points
}

function gridSquares(micrographs: MicrographRow[]): GridSquareSummary[] {
  const groups = new Map<string, MicrographRow[]>()
  for (const m of micrographs) {
    if (m.gridSquare === null) continue
    const group = groups.get(m.gridSquare)
    if (group) group.push(m)
    else groups.set(m.gridSquare, [m])
  }
  return [...groups].map(([gridSquare, ms]) => {
    const resolutions = ms.flatMap((m) => (m.ctf ? [m.ctf.resolution] : []))
    return {
      gridSquare,
      movies: ms.length,
      meanResolution: mean(resolutions),
      rejectedShare: ms.filter((m) => m.accepted === false).length / ms.length,
    }
  })
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
