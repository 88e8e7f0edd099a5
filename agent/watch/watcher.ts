// Watches the session folder for movies: chokidar (inotify, or polling for network shares)
// feeds the readiness tracker; a ready movie is handed on once with what inspecting it found
// (format, kind, checksum, sidecar).
// Movies the agent already knows are never tracked, and a movie is unwatched once handed on,
// so a folder of thousands of finished movies costs no polling. Every read of a file (format
// check, inspection) goes through one concurrency limit: a backlog holds a few descriptors, not one per movie.
import {EventEmitter} from 'node:events'
import {resolve} from 'node:path'
import type {FSWatcher} from 'chokidar'
import {ConcurrencyLimit} from './concurrency-limit.js'
import {inspectMovie, type FoundMovie} from './inspect.js'
import {compilePattern, type PathMatcher} from './pattern.js'
import {ReadinessTracker, type CompletenessCheck, type ReadyFile, defaultReadinessTiming} from './readiness.js'

export type {FoundMovie} from './inspect.js'

/** libuv's default thread pool size: more file reads at once would only queue there, holding descriptors. */
export const DEFAULT_FILE_READS = 4

export interface WatchOptions {
  /** Folder to watch (recursively). */
  dir: string
  /** Comma-separated globs of movie files, e.g. "*.mrc,*.tif,*.tiff,*.eer". */
  pattern: string
  /** Poll instead of inotify/FSEvents: needed on NFS/SMB shares, where change events never arrive. */
  usePolling: boolean
  /** Polling interval (ms) when usePolling. */
  pollIntervalMs: number
  /** Sub-folder levels to descend (0 = the folder itself; undefined = all). */
  depth?: number
  /** Paths already registered (from local state): skipped without any I/O. */
  isKnown: (path: string) => boolean
  checkComplete: CompletenessCheck
  stableMs?: number
  giveUpMs?: number
  /** Files read at once (format checks and inspections together); default DEFAULT_FILE_READS. */
  fileReads?: number
}

export interface MovieWatcherEvents {
  movie: [FoundMovie]
  error: [Error]
}

export class MovieWatcher extends EventEmitter<MovieWatcherEvents> {
  private watcher?: FSWatcher
  private readonly matches: PathMatcher
  private readonly readiness: ReadinessTracker
  private readonly root: string
  /** Handed on but maybe not yet registered by the caller: late change events must not re-track them. */
  private readonly handedOn = new Set<string>()
  private readonly fileReads: ConcurrencyLimit

  constructor(private readonly options: WatchOptions) {
    super()
    this.root = resolve(options.dir)
    this.matches = compilePattern(options.pattern, this.root)
    this.fileReads = new ConcurrencyLimit(options.fileReads ?? DEFAULT_FILE_READS)
    this.readiness = new ReadinessTracker(
      {
        ...defaultReadinessTiming,
        checkComplete: (path) => this.fileReads.run(() => options.checkComplete(path)),
        ...(options.stableMs !== undefined ? {stableMs: options.stableMs} : {}),
        ...(options.giveUpMs !== undefined ? {giveUpMs: options.giveUpMs} : {}),
      },
      (file) => void this.handOn(file),
    )
  }

  /** Resolves once the initial scan is done (every existing movie is being tracked). */
  async start(): Promise<void> {
    const {watch} = await import('chokidar')
    const watcher = watch(this.root, {
      usePolling: this.options.usePolling,
      interval: this.options.pollIntervalMs,
      binaryInterval: this.options.pollIntervalMs,
      ignoreInitial: false,
      ...(this.options.depth !== undefined ? {depth: this.options.depth} : {}),
      // Only directories and new matching files are watched at all: a folder of finished movies costs nothing.
      ignored: (path, stats) => stats?.isFile() === true && (!this.matches(path) || this.isDone(resolve(path))),
    })
    this.watcher = watcher
    const onFile = (path: string) => this.consider(path)
    watcher.on('add', onFile).on('change', onFile)
    watcher.on('error', (e) => this.emit('error', e instanceof Error ? e : new Error(String(e))))
    await new Promise<void>((done) => watcher.once('ready', () => done()))
  }

  /** Files seen but not yet ready, with why. */
  pending(): {path: string; reason?: string}[] {
    return this.readiness.pending()
  }

  async close(): Promise<void> {
    this.readiness.close()
    await this.watcher?.close()
  }

  private consider(path: string): void {
    const absolute = resolve(path)
    if (!this.matches(absolute)) return
    if (this.isDone(absolute)) return
    this.readiness.track(absolute)
  }

  private isDone(absolute: string): boolean {
    return this.handedOn.has(absolute) || this.options.isKnown(absolute)
  }

  private async handOn(file: ReadyFile): Promise<void> {
    this.handedOn.add(file.path)
    this.watcher?.unwatch(file.path)
    this.emit('movie', await this.fileReads.run(() => inspectMovie(file)))
  }
}
