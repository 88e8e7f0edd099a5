// The provenance chain of one micrograph: the movie file it came from, every run of every step
// (program, version, argv, parameters, times, exit) at every version, and the rows an export
// writes for it (the newest version of each result). A pure query over the project database.
import type {Database, SqlValue} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {curateProject} from '../curation/read.js'
import {CORRECTED_STAR, CTF_STAR, exposurePaths} from '../export/layout.js'
import {ProjectError} from '../project/errors.js'
import {rows, tableExists} from '../project/queries.js'

export interface MovieOrigin {
  movie: string
  path: string | null
  sizeBytes: number | null
  /** "sha256:<hex>" of the file as the agent found it; null from agents that did not send one. */
  checksum: string | null
  format: string | null
  /** The file's modification time and when the agent found it (ISO 8601). */
  modifiedAt: string | null
  foundAt: string
  agentId: string | null
  state: string
}

export interface StepRunTrace {
  step: string
  /** Processing version (workflow revision the run used). */
  version: number
  /** Whether this version is the one shown and exported (the newest finished one). */
  current: boolean
  state: string
  attempt: number
  host: string | null
  /** The SLURM job that ran it; null when the agent ran it itself. */
  job: {scheduler: string; jobId: string; node: string} | null
  program: string | null
  programVersion: string | null
  argv: string[] | null
  parameters: Record<string, unknown> | null
  startedAt: string | null
  endedAt: string | null
  exitStatus: number | null
  error: string | null
  stderrTail: string | null
  outputs: string[]
}

export interface ExportedRow {
  /** The export file the row lands in, relative to the export folder. */
  file: string
  /** The step and version whose result the row holds. */
  step: string
  version: number
  values: Record<string, string | number | null>
}

export interface MicrographProvenance {
  project: string
  origin: MovieOrigin
  /** Pipeline order, then oldest version first. */
  runs: StepRunTrace[]
  /** What `controller export` writes for this micrograph; empty when it is not exported (unfinished or rejected). */
  exported: ExportedRow[]
  /** The curation decision, when the movie is finished. */
  curation: {accepted: boolean; reasons: {rule: string; message: string}[]} | null
}

const STEP_ORDER = ['motion', 'ctf', 'picking', 'preview']
const iso = (v: SqlValue) => (v === null ? null : new Date(Number(v)).toISOString())
const str = (v: SqlValue) => (v === null ? null : String(v))
const num = (v: SqlValue) => (v === null ? null : Number(v))
const parsed = <T>(v: SqlValue): T | null => (v === null ? null : (JSON.parse(String(v)) as T))

/**
 * Finds the movie a user names: its id (path under the inputFolder) or the full path of the movie
 * or its micrograph; else the file name of either, when that names exactly one movie.
 */
export function resolveMovie(db: Database, project: string, name: string): string {
  const exact = rows(
    db,
    'SELECT DISTINCT m.movie FROM movies m LEFT JOIN micrographs g ON g.movie_id = m.id WHERE m.movie = ? OR m.path = ? OR g.path = ?',
    [name, name, name],
  )
  if (exact.length === 1) return String(exact[0].movie)
  const base = name.replace(/^.*\//, '')
  const stem = base.replace(/\.[^.]+$/, '')
  const matches = rows(
    db,
    `SELECT DISTINCT m.movie FROM movies m LEFT JOIN micrographs g ON g.movie_id = m.id
     WHERE m.movie = ? OR m.movie LIKE ? ESCAPE '\\' OR g.path LIKE ? ESCAPE '\\'`,
    [base, `%/${like(base)}`, `%/${like(stem)}.mrc`],
  ).map((r) => String(r.movie))
  if (matches.length === 1) return matches[0]
  if (matches.length === 0) throw new ProjectError(project, `no movie or micrograph named ${name}`)
  throw new ProjectError(project, `${name} names ${matches.length} movies (${matches.slice(0, 5).join(', ')}); give the movie's full id`)
}

const like = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export function traceMicrograph(db: Database, project: string, workflow: Workflow, name: string): MicrographProvenance {
  const movie = resolveMovie(db, project, name)
  const [m] = rows(db, 'SELECT * FROM movies WHERE movie = ?', [movie])
  const runs = stepRuns(db, Number(m.id))
  return {
    project,
    origin: {
      movie,
      path: str(m.path),
      sizeBytes: num(m.size_bytes),
      checksum: movieChecksum(db, Number(m.id)),
      format: str(m.format),
      modifiedAt: iso(m.modified_at),
      foundAt: iso(m.found_at)!,
      agentId: str(m.agent_id),
      state: String(m.state),
    },
    runs,
    ...exportedRows(db, workflow, movie, runs),
  }
}

function movieChecksum(db: Database, movieId: number): string | null {
  if (!tableExists(db, 'movie_checksums')) return null
  const [row] = rows(db, 'SELECT checksum FROM movie_checksums WHERE movie_id = ?', [movieId])
  return row ? String(row.checksum) : null
}

function stepRuns(db: Database, movieId: number): StepRunTrace[] {
  const jobs = runJobs(db, movieId)
  const all = rows(db, 'SELECT * FROM step_runs WHERE movie_id = ?', [movieId]).map(
    (r): StepRunTrace => ({
      step: String(r.step),
      version: Number(r.version),
      current: false,
      state: String(r.state),
      attempt: Number(r.attempt),
      host: str(r.host),
      job: jobs.get(`${String(r.step)}/${Number(r.version)}`) ?? null,
      program: str(r.program),
      programVersion: str(r.program_version),
      argv: parsed<string[]>(r.argv),
      parameters: parsed<Record<string, unknown>>(r.parameters),
      startedAt: iso(r.started_at),
      endedAt: iso(r.ended_at),
      exitStatus: num(r.exit_status),
      error: str(r.error),
      stderrTail: str(r.stderr_tail),
      outputs: parsed<string[]>(r.outputs) ?? [],
    }),
  )
  all.sort((a, b) => STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step) || a.version - b.version)
  for (const step of STEP_ORDER) {
    const done = all.filter((r) => r.step === step && r.state === 'done')
    if (done.length > 0) done[done.length - 1].current = true
  }
  return all
}

/** The batch jobs of a movie's runs, by "step/version". */
function runJobs(db: Database, movieId: number): Map<string, NonNullable<StepRunTrace['job']>> {
  if (!tableExists(db, 'step_run_jobs')) return new Map()
  return new Map(rows(db, 'SELECT step, version, scheduler, job_id, node FROM step_run_jobs WHERE movie_id = ?', [movieId]).map((r) => [
    `${String(r.step)}/${Number(r.version)}`,
    {scheduler: String(r.scheduler), jobId: String(r.job_id), node: String(r.node)},
  ]))
}

function exportedRows(db: Database, workflow: Workflow, movie: string, runs: StepRunTrace[]): Pick<MicrographProvenance, 'exported' | 'curation'> {
  const curation = curateProject(db, workflow)
  const index = curation.exposures.findIndex((e) => e.movie === movie)
  if (index < 0) return {exported: [], curation: null}
  const e = curation.exposures[index]
  const decision = curation.decisions[index]
  const currentVersion = (step: string) => runs.find((r) => r.step === step && r.current)?.version ?? 0
  const paths = exposurePaths(movie)
  const exported: ExportedRow[] = []
  if (e.micrograph !== null) {
    exported.push({
      file: CORRECTED_STAR,
      step: 'motion',
      version: currentVersion('motion'),
      values: {
        rlnMicrographName: paths.micrograph,
        source: e.micrograph,
        rlnMicrographMetadata: e.motionStar ? paths.motionStar : null,
        rlnAccumMotionTotal: e.motion?.totalMotion ?? null,
        rlnAccumMotionEarly: e.motion?.earlyMotion ?? null,
        rlnAccumMotionLate: e.lateMotion,
      },
    })
  }
  if (e.ctf) {
    exported.push({
      file: CTF_STAR,
      step: 'ctf',
      version: currentVersion('ctf'),
      values: {
        rlnMicrographName: paths.micrograph,
        rlnDefocusU: e.ctf.defocusU,
        rlnDefocusV: e.ctf.defocusV,
        rlnDefocusAngle: e.defocusAngle,
        rlnCtfAstigmatism: e.ctf.astigmatism,
        rlnCtfMaxResolution: e.ctf.resolution,
        rlnCtfFigureOfMerit: e.figureOfMerit,
        rlnPhaseShift: e.phaseShift,
      },
    })
  }
  if (e.coordinatesFile !== null) {
    exported.push({file: paths.coordinates, step: 'picking', version: currentVersion('picking'), values: {particles: e.particles?.count ?? null, source: e.coordinatesFile}})
  }
  return {exported, curation: {accepted: decision.accepted, reasons: decision.reasons}}
}
