// An endless, realistic event stream of one agent: each movie's life (found, then motion, CTF
// and picking started and finished, core/protocol/samples.ts) with a system sample among them
// now and then, as an agent reports it. Counts what it produced, to check nothing was lost.
import {hostname} from 'node:os'
import {sampleMovieEvents} from '../../../core/protocol/samples.js'
import type {AgentEvent, SystemSample} from '../../../core/protocol/index.js'

/** An agent samples its system about once a second; at 1,000 events/s that is one in 1,000. */
export const SAMPLE_EVERY = 1000

export class SyntheticEvents {
  movies = 0
  samples = 0
  private produced = 0
  private queue: AgentEvent[] = []

  constructor(
    private readonly agentId: string,
    private readonly startAt = Date.now(),
  ) {}

  next(): AgentEvent {
    if (++this.produced % SAMPLE_EVERY === 0) {
      this.samples++
      return systemSample()
    }
    if (this.queue.length === 0) this.queue = this.nextMovie().reverse()
    return this.queue.pop()!
  }

  /** The next movie's events, whole (no system sample among them). */
  nextMovie(): AgentEvent[] {
    return this.movie(this.movies++)
  }

  /** Movie ids are unique per agent, laid out as EPU does (grid square folders). */
  private movie(i: number): AgentEvent[] {
    return sampleMovieEvents(`${this.agentId}/GridSquare_${Math.floor(i / 500)}/FoilHole_${i}_Data_1.tiff`, this.startAt + i * 3600)
  }
}

export function systemSample(): SystemSample {
  return {
    kind: 'systemSample',
    host: hostname(),
    cpuPercent: 62.5,
    loadAverage: [3.1, 2.9, 2.7],
    memoryUsedBytes: 48 * 2 ** 30,
    memoryTotalBytes: 256 * 2 ** 30,
    swapUsedBytes: 0,
    disks: [{path: '/data', freeBytes: 12 * 2 ** 40, totalBytes: 40 * 2 ** 40}],
    gpus: [{index: 0, name: 'NVIDIA RTX A6000', utilizationPercent: 81, memoryUsedBytes: 9 * 2 ** 30, memoryTotalBytes: 48 * 2 ** 30, temperatureC: 67}],
    pipeline: {queued: 4, running: 2},
  }
}

/** Events per movie in the stream (found + 3 x started/finished). */
export const EVENTS_PER_MOVIE = sampleMovieEvents('x.tiff').length
