// The agent's durable memory of every movie: an append-only JSON-lines journal, fsync'd per
// record, replayed on start and compacted into a snapshot (write temp, fsync, rename) when it
// has grown well past the number of movies. A record is durable before the event it causes
// is queued, so after a crash the agent neither redoes finished steps nor skips a movie.
import {closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync} from 'node:fs'
import {dirname, join} from 'node:path'
import type {MovieRecord, StepFailure, StepName, StepRunRecord, StepState} from './movie.js'

/** One durable transition. `seq` is the sequence number of the event it caused, when it caused one. */
export type StateRecord = (
  | {t: 'movie'; movie: MovieRecord}
  | {t: 'step-started'; id: string; step: StepName; at: number; version: number; program: string}
  | {t: 'step-done'; id: string; step: StepName; at: number; result: unknown; run: StepRunRecord}
  | {t: 'step-failed'; id: string; step: StepName; at: number; error: string; final: boolean; run?: StepRunRecord}
  | {t: 'movie-failed'; id: string; at: number; failure: StepFailure}
  | {t: 'movie-done'; id: string; at: number}
  /** A shared agent's queued, unstarted movie whose lease went to another agent: dropped, never processed here. */
  | {t: 'movie-released'; id: string; at: number}
  /** A rerun: these steps are to run again (under the new workflow revision); the movie is queued again. */
  | {t: 'steps-reset'; id: string; at: number; steps: StepName[]; rerun: number}
) & {seq?: number}

/**
 * Lets the event outbox ride on the state's writes: `stamp` gives the seq of the event a
 * record will cause (undefined = none), `written` queues that event once the record is durable.
 * Only the last record can lack its event after a crash; see lastRecord().
 */
export interface StateHooks {
  stamp(record: StateRecord): number | undefined
  written(record: StateRecord, movie: MovieRecord): void
}

export class LocalStateError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`agent state ${file}: ${problem}`)
    this.name = 'LocalStateError'
  }
}

export class LocalState {
  private readonly movies = new Map<string, MovieRecord>()
  private readonly byPath = new Map<string, MovieRecord>()
  /** Movies neither done nor failed, oldest first (Map order is registration order). */
  private readonly open = new Map<string, MovieRecord>()
  private failedCount = 0
  private releasedCount = 0
  private fd: number
  private journalRecords = 0
  private nextOrder = 0
  private last?: StateRecord
  private hooks?: StateHooks

  private constructor(private readonly file: string) {
    mkdirSync(dirname(file), {recursive: true})
    this.load()
    this.fd = openSync(file, 'a')
  }

  /** Opens (or creates) the state in `dir`; steps that were running when the agent stopped are marked interrupted, to run again. */
  static open(dir: string): LocalState {
    return new LocalState(join(dir, 'movies.jsonl'))
  }

  /** Connects the event outbox; from now on every record is stamped and announced. */
  setHooks(hooks: StateHooks): void {
    this.hooks = hooks
  }

  /** The last record on disk when the state was opened (its event may not have been queued before a crash). */
  lastRecord(): StateRecord | undefined {
    return this.last
  }

  get(id: string): MovieRecord | undefined {
    return this.movies.get(id)
  }

  hasPath(path: string): boolean {
    return this.byPath.has(path)
  }

  /** All movies, oldest first. */
  all(): MovieRecord[] {
    return [...this.movies.values()].sort((a, b) => a.order - b.order)
  }

  /** Counts without walking the movies (the status line asks every second). */
  tally(): {found: number; done: number; failed: number; released: number; queued: number} {
    const failed = this.failedCount
    const released = this.releasedCount
    return {found: this.movies.size, done: this.movies.size - this.open.size - failed - released, failed, released, queued: this.open.size}
  }

  /** Movies still queued (not done or failed), oldest first, without touching the finished ones. */
  queued(): MovieRecord[] {
    return [...this.open.values()]
  }

  /** Registers a newly found movie (order assigned here); returns the stored record. */
  addMovie(movie: Omit<MovieRecord, 'order' | 'status' | 'steps'>): MovieRecord {
    if (this.movies.has(movie.id)) throw new LocalStateError(this.file, `movie ${movie.id} is already registered`)
    return this.write({t: 'movie', movie: {...movie, order: this.nextOrder, status: 'queued', steps: {}}})
  }

  stepStarted(id: string, step: StepName, version: number, program: string): MovieRecord {
    return this.write({t: 'step-started', id, step, at: Date.now(), version, program})
  }

  stepDone(id: string, step: StepName, result: unknown, run: StepRunRecord): MovieRecord {
    return this.write({t: 'step-done', id, step, at: Date.now(), result, run})
  }

  stepFailed(id: string, step: StepName, error: string, final: boolean, run?: StepRunRecord): MovieRecord {
    return this.write({t: 'step-failed', id, step, at: Date.now(), error, final, ...(run ? {run} : {})})
  }

  movieFailed(id: string, failure: StepFailure): MovieRecord {
    return this.write({t: 'movie-failed', id, at: Date.now(), failure})
  }

  movieDone(id: string): MovieRecord {
    return this.write({t: 'movie-done', id, at: Date.now()})
  }

  /** Drops a queued movie unprocessed (its lease went to another agent); it is never queued here again. */
  movieReleased(id: string): MovieRecord {
    return this.write({t: 'movie-released', id, at: Date.now()})
  }

  /** Queues a movie again to run `steps` anew for rerun request `rerun`; false when it was already applied. */
  resetSteps(id: string, steps: StepName[], rerun: number): boolean {
    const movie = this.movies.get(id)
    if (!movie) throw new LocalStateError(this.file, `rerun of unknown movie ${id}`)
    if ((movie.lastRerun ?? 0) >= rerun) return false
    this.write({t: 'steps-reset', id, at: Date.now(), steps, rerun})
    return true
  }

  close(): void {
    closeSync(this.fd)
  }

  private write(record: StateRecord): MovieRecord {
    // Compact before, not after, a write: by now the previous record's event has been queued.
    if (this.journalRecords > 64 && this.journalRecords > 4 * this.movies.size) this.compact()
    const seq = this.hooks?.stamp(record)
    if (seq !== undefined) record.seq = seq
    this.apply(record)
    writeSync(this.fd, JSON.stringify(record) + '\n')
    fsyncSync(this.fd)
    this.journalRecords++
    const movie = this.movies.get(record.t === 'movie' ? record.movie.id : record.id)!
    this.hooks?.written(record, movie)
    return movie
  }

  private load(): void {
    if (!existsSync(this.file)) return
    const text = readFileSync(this.file)
    // A crash mid-write leaves a torn last line: cut it off so the next append starts clean.
    const end = text.lastIndexOf(0x0a) + 1
    if (end < text.length) truncateSync(this.file, end)
    const lines = text.subarray(0, end).toString('utf8').split('\n')
    lines.forEach((line, i) => {
      if (line.trim() === '') return
      let record: StateRecord
      try {
        record = JSON.parse(line) as StateRecord
      } catch {
        throw new LocalStateError(this.file, `line ${i + 1} is not JSON`)
      }
      this.apply(record)
      this.journalRecords++
      this.last = record
    })
    for (const movie of this.movies.values()) {
      for (const state of Object.values(movie.steps)) if (state?.status === 'running') state.status = 'interrupted'
    }
  }

  private apply(record: StateRecord): void {
    if (record.t === 'movie') {
      // A copy: the record object itself may sit in the outbox and must not change.
      record = {...record, movie: structuredClone(record.movie)}
      this.movies.set(record.movie.id, record.movie)
      this.byPath.set(record.movie.path, record.movie)
      if (record.movie.status === 'queued') this.open.set(record.movie.id, record.movie)
      else if (record.movie.status === 'failed') this.failedCount++
      else if (record.movie.status === 'released') this.releasedCount++
      this.nextOrder = Math.max(this.nextOrder, record.movie.order + 1)
      return
    }
    const movie = this.movies.get(record.id)
    if (!movie) throw new LocalStateError(this.file, `record for unknown movie ${record.id}`)
    switch (record.t) {
      case 'step-started': {
        const before = movie.steps[record.step]
        movie.steps[record.step] = {
          status: 'running',
          attempts: (before?.attempts ?? 0) + 1,
          failures: before?.failures ?? 0,
          startedAt: record.at,
          version: record.version,
          program: record.program,
        }
        break
      }
      case 'step-done':
        movie.steps[record.step] = {...stepOf(movie, record.step), status: 'done', finishedAt: record.at, result: record.result}
        break
      case 'step-failed':
        const before = stepOf(movie, record.step)
        movie.steps[record.step] = {...before, status: 'failed', failures: before.failures + 1, finishedAt: record.at, error: record.error}
        break
      case 'movie-failed':
        movie.status = 'failed'
        movie.failure = record.failure
        if (this.open.delete(movie.id)) this.failedCount++
        break
      case 'movie-done':
        movie.status = 'done'
        this.open.delete(movie.id)
        // Results stay: a rerun of a later step needs the earlier steps' results as its input.
        break
      case 'movie-released':
        movie.status = 'released'
        if (this.open.delete(movie.id)) this.releasedCount++
        break
      case 'steps-reset':
        for (const step of record.steps) delete movie.steps[step]
        movie.lastRerun = record.rerun
        if (movie.status === 'failed') this.failedCount--
        delete movie.failure
        movie.status = 'queued'
        this.open.set(movie.id, movie)
        break
    }
  }

  /** Rewrites the journal as one record per movie: temp file, fsync, rename, fsync the folder. */
  private compact(): void {
    const tmp = `${this.file}.tmp`
    const fd = openSync(tmp, 'w')
    for (const movie of this.all()) writeSync(fd, JSON.stringify({t: 'movie', movie} satisfies StateRecord) + '\n')
    fsyncSync(fd)
    closeSync(fd)
    renameSync(tmp, this.file)
    const dirFd = openSync(dirname(this.file), 'r')
    fsyncSync(dirFd)
    closeSync(dirFd)
    closeSync(this.fd)
    this.fd = openSync(this.file, 'a')
    this.journalRecords = this.movies.size
  }
}

/** A step's state; a failure before the step could start (bad options) has none yet. */
function stepOf(movie: MovieRecord, step: StepName): StepState {
  return movie.steps[step] ?? {status: 'running', attempts: 1, failures: 0, startedAt: 0, version: 0, program: ''}
}
