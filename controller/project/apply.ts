// Applies journal records to the database. Pure function of (database, record): replaying the
// journal after a snapshot rebuilds exactly the state the live controller had. Results are upserts
// keyed (movie, step version), so even a record applied twice leaves one row.
import type {Database, Statement} from 'sql.js'
import type {AgentEvent, MovieFound, MovieSidecarEvent, StepFailed, StepFinished, StepRun, StepStarted, SystemSample, WorkflowStatus} from '../../core/protocol/index.js'
import type {StepName} from '../../core/workflow/index.js'
import {AGENT_WORKFLOWS_SQL, CHECKSUMS_SQL, OUTPUT_SETS, RERUNS_SQL, SIDECARS_SQL, STEP_RUN_JOBS_SQL} from './schema.js'
import {LeaseLedger} from './leases.js'
import {tableExists} from './queries.js'
import type {JournalRecord, NewAlert, RerunRequest, SessionAction} from './records.js'

const SQL = {
  movieFound: `INSERT INTO movies (movie, agent_id, path, size_bytes, format, modified_at, found_at, state, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'found', ?)
    ON CONFLICT (movie) DO UPDATE SET agent_id = excluded.agent_id, path = excluded.path, size_bytes = excluded.size_bytes, format = excluded.format,
      modified_at = excluded.modified_at, updated_at = excluded.updated_at`,
  movieId: `SELECT id FROM movies WHERE movie = ?`,
  movieAdd: `INSERT INTO movies (movie, agent_id, found_at, state, updated_at) VALUES (?, ?, ?, 'processing', ?)`,
  movieState: `UPDATE movies SET state = ?, failed_step = ?, error = ?, updated_at = ? WHERE id = ?`,
  movieProcessing: `UPDATE movies SET state = 'processing', failed_step = NULL, error = NULL, updated_at = ? WHERE id = ? AND state != 'done'`,
  runStarted: `INSERT INTO step_runs (movie_id, step, version, state, attempt, agent_id, program, started_at)
    VALUES (?, ?, ?, 'running', ?, ?, ?, ?)
    ON CONFLICT (movie_id, step, version) DO UPDATE SET state = 'running', attempt = excluded.attempt, agent_id = excluded.agent_id,
      program = excluded.program, started_at = excluded.started_at, ended_at = NULL, exit_status = NULL, error = NULL`,
  runEnded: `INSERT INTO step_runs (movie_id, step, version, state, attempt, agent_id, program, program_version, argv, parameters,
      started_at, ended_at, exit_status, stderr_tail, host, error, outputs)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (movie_id, step, version) DO UPDATE SET state = excluded.state, attempt = max(step_runs.attempt, excluded.attempt),
      agent_id = excluded.agent_id, program = excluded.program, program_version = excluded.program_version, argv = excluded.argv,
      parameters = excluded.parameters, started_at = excluded.started_at, ended_at = excluded.ended_at,
      exit_status = excluded.exit_status, stderr_tail = excluded.stderr_tail, host = excluded.host, error = excluded.error,
      outputs = excluded.outputs`,
  // step_run_jobs exists only once a SLURM run was applied: these are prepared after that.
  runJob: `INSERT OR REPLACE INTO step_run_jobs (movie_id, step, version, scheduler, job_id, node) VALUES (?, ?, ?, ?, ?, ?)`,
  runJobDropped: `DELETE FROM step_run_jobs WHERE movie_id = ? AND step = ? AND version = ?`,
  micrograph: `INSERT OR REPLACE INTO micrographs (movie_id, version, path, path_no_dw, pixel_size, frames, dose_per_frame,
      total_motion, early_motion, late_motion, shifts, patches_x, patches_y, star_file, warnings, finished_at, gain_residual)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ctf: `INSERT OR REPLACE INTO ctf (movie_id, version, defocus_u, defocus_v, defocus_angle, astigmatism, phase_shift, resolution,
      figure_of_merit, psd_image, warnings, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  particles: `INSERT OR REPLACE INTO particles (movie_id, version, count, coordinates_file, mean_score, mean_diameter, finished_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  preview: `INSERT OR REPLACE INTO previews (movie_id, version, micrograph_preview, psd_preview, finished_at) VALUES (?, ?, ?, ?, ?)`,
  sample: `INSERT INTO system_samples (agent_id, host, at, cpu_percent, load1, memory_used_bytes, memory_total_bytes, swap_used_bytes,
      disks, gpus, pipeline_queued, pipeline_running) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  agentSeq: `INSERT INTO agents (agent_id, last_seq, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (agent_id) DO UPDATE SET last_seq = excluded.last_seq, last_seen_at = excluded.last_seen_at`,
  agentSeen: `INSERT INTO agents (agent_id, host, software, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (agent_id) DO UPDATE SET host = excluded.host, software = excluded.software, last_seen_at = excluded.last_seen_at`,
  alert: `INSERT INTO alerts (at, monitor, severity, message, movie, value, threshold, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  alertResolved: `UPDATE alerts SET resolved_at = ? WHERE monitor = ? AND resolved_at IS NULL`,
  curation: `INSERT OR REPLACE INTO meta (key, value) VALUES ('curation_thresholds', ?)`,
  savepoint: `SAVEPOINT apply_record`,
  release: `RELEASE apply_record`,
  rollback: `ROLLBACK TO apply_record`,
} as const

type Param = string | number | null | Uint8Array
const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v)
const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v))
const mean = (values: number[] | undefined): number | null =>
  values && values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null

function shiftsBlob(shifts: [number, number][]): Uint8Array {
  const data = new Float32Array(2 * shifts.length)
  shifts.forEach(([x, y], i) => {
    data[2 * i] = x
    data[2 * i + 1] = y
  })
  return new Uint8Array(data.buffer)
}

/** Reads a micrographs.shifts blob back into per-frame (x, y) pairs. */
export function shiftsFromBlob(blob: Uint8Array): [number, number][] {
  const data = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength))
  return Array.from({length: data.length / 2}, (_, i) => [data[2 * i], data[2 * i + 1]])
}

export class Applier {
  private readonly statements = new Map<keyof typeof SQL, Statement>()
  private readonly movieIds = new Map<string, number>()
  private stepsDone: Statement | undefined
  /** Movies known to be in state 'processing' (saves an UPDATE per started step). */
  private readonly processing = new Set<number>()
  /** Movie leases of shared agents: also which agents' events about a movie apply. */
  readonly leases: LeaseLedger
  /** Whether step_run_jobs exists (made when the first SLURM run is applied). */
  private jobsTable: boolean

  constructor(
    private readonly db: Database,
    /** Steps a movie needs done to count as processed (from the workflow). */
    private requiredSteps: StepName[],
  ) {
    this.leases = new LeaseLedger(db)
    this.jobsTable = tableExists(db, 'step_run_jobs')
  }

  setRequiredSteps(steps: StepName[]): void {
    this.requiredSteps = steps
    this.stepsDone?.free()
    this.stepsDone = undefined
  }

  /**
   * Applies one record, all or nothing; returns the problem when its change could not be applied.
   * An event's seq counts as applied either way (saveAgentSeqs), so a bad event is not re-sent for ever.
   */
  apply(record: JournalRecord): string | undefined {
    switch (record.type) {
      case 'event': {
        const {agentId, event} = record.message
        if (!this.leases.admits(agentId, event)) return undefined
        return this.atomically(() => this.applyEvent(agentId, event, record.receivedAt))
      }
      case 'agentConnected':
        return this.atomically(() => this.run('agentSeen', [record.agentId, record.host, record.software, record.at, record.at]))
      case 'session':
        return this.atomically(() => this.applySession(record.action, record.at, record.reason))
      case 'alert':
        return this.atomically(() => this.applyAlert(record.alert, record.at))
      case 'alertResolved':
        return this.atomically(() => this.run('alertResolved', [record.at, record.monitor]))
      case 'curation':
        return this.atomically(() => this.run('curation', [JSON.stringify(record.thresholds)]))
      case 'rerun':
        return this.atomically(() => this.applyRerun(record.rerun, record.at))
      case 'lease':
        return this.atomically(() => this.leases.apply(record))
    }
  }

  /** Stores the highest applied seq per agent (the caller batches: once per transaction, not per event). */
  saveAgentSeqs(seqs: Map<string, {seq: number; at: number}>): void {
    for (const [agentId, {seq, at}] of seqs) this.run('agentSeq', [agentId, seq, at, at])
  }

  private atomically(change: () => void): string | undefined {
    this.run('savepoint', [])
    try {
      change()
      this.run('release', [])
      return undefined
    } catch (error) {
      this.run('rollback', [])
      this.run('release', [])
      // Cached ids and states may describe rows the rollback removed or restored.
      this.movieIds.clear()
      this.processing.clear()
      return (error as Error).message
    }
  }

  private applyEvent(agentId: string, event: AgentEvent, at: number): void {
    switch (event.kind) {
      case 'movieFound':
        return this.movieFound(agentId, event, at)
      case 'stepStarted':
        return this.stepStarted(agentId, event, at)
      case 'stepFinished':
        return this.stepFinished(agentId, event, at)
      case 'stepFailed':
        return this.stepFailed(agentId, event, at)
      case 'systemSample':
        return this.systemSample(agentId, event, at)
      case 'workflowStatus':
        return this.workflowStatus(agentId, event, at)
    }
  }

  private movieFound(agentId: string, e: MovieFound, at: number): void {
    this.run('movieFound', [e.movie, agentId, e.path, e.sizeBytes, e.format, e.modifiedAt, at, at])
    if (e.checksum !== undefined) {
      this.db.run(CHECKSUMS_SQL)
      this.db.run('INSERT OR REPLACE INTO movie_checksums (movie_id, checksum) VALUES ((SELECT id FROM movies WHERE movie = ?), ?)', [e.movie, e.checksum])
    }
    if (e.sidecar !== undefined) this.movieSidecar(e.movie, e.sidecar)
  }

  private movieSidecar(movie: string, s: MovieSidecarEvent): void {
    this.db.run(SIDECARS_SQL)
    this.db.run(
      `INSERT OR REPLACE INTO movie_sidecars (movie_id, file, format, nominal_defocus, total_dose, acquired_at, grid_square)
        VALUES ((SELECT id FROM movies WHERE movie = ?), ?, ?, ?, ?, ?, ?)`,
      [movie, s.file, s.format, opt(s.nominalDefocus), opt(s.totalDose), opt(s.acquiredAt), opt(s.gridSquare)],
    )
  }

  private stepStarted(agentId: string, e: StepStarted, at: number): void {
    const id = this.movieId(e.movie, agentId, at)
    this.run('runStarted', [id, e.step, e.version, e.attempt, agentId, e.program, at])
    if (!this.processing.has(id)) {
      this.run('movieProcessing', [at, id])
      this.processing.add(id)
    }
  }

  private stepFinished(agentId: string, e: StepFinished, at: number): void {
    const id = this.movieId(e.movie, agentId, at)
    this.runEnded(id, agentId, e.step, e.version, 'done', 1, e.run, null, e.outputs)
    this.storeResult(id, e, at)
    if (this.requiredSteps.includes(e.step) && this.doneSteps(id, e.version) >= this.requiredSteps.length) {
      this.setMovieState(id, 'done', null, null, at)
    }
  }

  private storeResult(id: number, e: StepFinished, at: number): void {
    switch (e.step) {
      case 'motion': {
        const r = e.result
        return this.run('micrograph', [
          id, e.version, r.micrograph, opt(r.micrographNoDW), r.pixelSize, r.frames, r.dosePerFrame, r.totalMotion,
          r.earlyMotion, r.lateMotion, shiftsBlob(r.shifts), opt(r.localModel?.patchesX), opt(r.localModel?.patchesY),
          opt(r.starFile), json(r.warnings), at, json(r.gainResidual),
        ])
      }
      case 'ctf': {
        const r = e.result
        return this.run('ctf', [
          id, e.version, r.defocusU, r.defocusV, r.defocusAngle, Math.abs(r.defocusU - r.defocusV), r.phaseShift,
          r.resolution, r.figureOfMerit, opt(r.psdImage), json(r.warnings), at,
        ])
      }
      case 'picking': {
        const r = e.result
        return this.run('particles', [id, e.version, r.count, r.coordinatesFile, mean(r.scores), mean(r.diameters), at])
      }
      case 'preview': {
        const r = e.result
        return this.run('preview', [id, e.version, r.micrographPreview, opt(r.psdPreview), at])
      }
    }
  }

  private stepFailed(agentId: string, e: StepFailed, at: number): void {
    const id = this.movieId(e.movie, agentId, at)
    this.runEnded(id, agentId, e.step, e.version, e.willRetry ? 'retrying' : 'failed', e.attempt, e.run, e.error, [])
    if (!e.willRetry) this.setMovieState(id, 'failed', e.step, e.error, at)
  }

  private setMovieState(id: number, state: 'done' | 'failed', step: string | null, error: string | null, at: number): void {
    this.run('movieState', [state, step, error, at, id])
    this.processing.delete(id)
  }

  private runEnded(
    id: number, agentId: string, step: StepName, version: number, state: string, attempt: number,
    run: StepRun | undefined, error: string | null, outputs: string[],
  ): void {
    this.run('runEnded', [
      id, step, version, state, attempt, agentId, opt(run?.program), opt(run?.version), json(run?.argv), json(run?.parameters),
      opt(run?.startedAt), opt(run?.endedAt), opt(run?.exitStatus), opt(run?.stderrTail), opt(run?.host), error, json(outputs),
    ])
    this.runJob(id, step, version, run?.job)
  }

  /** The batch job a run ended in; a later run of the same version by the agent itself leaves none. */
  private runJob(id: number, step: StepName, version: number, job: StepRun['job']): void {
    if (job) {
      if (!this.jobsTable) this.db.run(STEP_RUN_JOBS_SQL)
      this.jobsTable = true
      this.run('runJob', [id, step, version, job.scheduler, job.jobId, job.node])
    } else if (this.jobsTable) {
      this.run('runJobDropped', [id, step, version])
    }
  }

  private systemSample(agentId: string, e: SystemSample, at: number): void {
    this.run('sample', [
      agentId, e.host, at, e.cpuPercent, e.loadAverage[0], e.memoryUsedBytes, e.memoryTotalBytes, e.swapUsedBytes,
      JSON.stringify(e.disks), JSON.stringify(e.gpus), e.pipeline.queued, e.pipeline.running,
    ])
  }

  /** The agent's latest verdict on the workflow, one row per agent (the agents monitor alerts on a refusal). */
  private workflowStatus(agentId: string, e: WorkflowStatus, at: number): void {
    this.db.run(AGENT_WORKFLOWS_SQL)
    this.db.run('INSERT OR REPLACE INTO agent_workflows (agent_id, revision, accepted, step, reason, at) VALUES (?, ?, ?, ?, ?, ?)', [
      agentId, e.revision, e.accepted ? 1 : 0, opt(e.step), opt(e.reason), at,
    ])
  }

  private applySession(action: SessionAction, at: number, reason: string | undefined): void {
    const session = `(SELECT max(id) FROM sessions)`
    switch (action) {
      case 'schedule':
        this.db.run(`UPDATE sessions SET state = 'scheduled', scheduled_at = ? WHERE id = ${session}`, [at])
        for (const name of OUTPUT_SETS) {
          this.db.run(`INSERT OR REPLACE INTO output_sets (name, state, opened_at) VALUES (?, 'open', ?)`, [name, at])
        }
        return
      case 'start':
        this.db.run(`UPDATE sessions SET state = 'running', started_at = ? WHERE id = ${session}`, [at])
        return
      case 'closeInput':
        this.db.run(`UPDATE sessions SET input_closed_at = ?, input_closed_reason = ? WHERE id = ${session}`, [at, opt(reason)])
        return
      case 'close':
        this.db.run(`UPDATE sessions SET state = 'closed', closed_at = ? WHERE id = ${session}`, [at])
        this.db.run(`UPDATE output_sets SET state = 'closed', closed_at = ? WHERE state = 'open'`, [at])
        return
    }
  }

  /** The rerun's workflow becomes a new revision and the session's; the request is kept for agents that join later. */
  private applyRerun(r: RerunRequest, at: number): void {
    this.db.run(RERUNS_SQL)
    this.db.run('INSERT INTO workflows (revision, workflow, created_at) VALUES (?, ?, ?)', [r.revision, JSON.stringify(r.workflow), at])
    this.db.run('UPDATE sessions SET workflow_revision = ? WHERE id = (SELECT max(id) FROM sessions)', [r.revision])
    this.db.run('INSERT INTO reruns (id, at, revision, steps, settings, movies) VALUES (?, ?, ?, ?, ?, ?)', [
      r.id, at, r.revision, JSON.stringify(r.steps), JSON.stringify(r.settings), JSON.stringify(r.movies),
    ])
  }

  private applyAlert(a: NewAlert, at: number): void {
    this.run('alert', [at, a.monitor, a.severity, a.message, opt(a.movie), opt(a.value), opt(a.threshold), json(a.details)])
  }

  private doneSteps(id: number, version: number): number {
    const steps = this.requiredSteps.map((s) => `'${s}'`).join(', ')
    this.stepsDone ??= this.db.prepare(
      `SELECT count(*) FROM step_runs WHERE movie_id = ? AND version = ? AND state = 'done' AND step IN (${steps})`,
    )
    this.stepsDone.bind([id, version])
    this.stepsDone.step()
    const done = Number(this.stepsDone.get()[0])
    this.stepsDone.reset()
    return done
  }

  /** The movie's row id; a step event for a movie never reported as found still gets a row. */
  private movieId(movie: string, agentId: string, at: number): number {
    const cached = this.movieIds.get(movie)
    if (cached !== undefined) return cached
    const statement = this.statement('movieId')
    statement.bind([movie])
    let id = statement.step() ? Number(statement.get()[0]) : undefined
    statement.reset()
    if (id === undefined) {
      this.run('movieAdd', [movie, agentId, at, at])
      id = Number(this.db.exec('SELECT last_insert_rowid()')[0].values[0][0])
    }
    this.movieIds.set(movie, id)
    return id
  }

  private statement(name: keyof typeof SQL): Statement {
    let statement = this.statements.get(name)
    if (!statement) {
      statement = this.db.prepare(SQL[name])
      this.statements.set(name, statement)
    }
    return statement
  }

  private run(name: keyof typeof SQL, params: Param[]): void {
    this.statement(name).run(params)
  }

  /** Frees the prepared statements (before the database is closed). */
  free(): void {
    for (const statement of this.statements.values()) statement.free()
    this.statements.clear()
    this.stepsDone?.free()
    this.stepsDone = undefined
  }
}
