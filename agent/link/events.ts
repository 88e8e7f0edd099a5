// The wire event each local-state transition causes (core/protocol/events.ts). Derived from
// the durable record alone, so an event lost in a crash can be rebuilt from the state file.
import type {AgentEvent, MovieSidecarEvent, StepFinished} from '../../core/protocol/events.js'
import type {StateRecord} from '../pipeline/local-state.js'
import type {MovieRecord} from '../pipeline/movie.js'
import {sidecarEvent} from './sidecar-event.js'

/**
 * The event a record causes, or undefined for bookkeeping records (movie done / failed).
 * `reportPath` turns the movie's path into the one the controller knows (agent --path-map).
 */
export function eventForRecord(record: StateRecord, movie: MovieRecord, host: string, reportPath = (path: string) => path): AgentEvent | undefined {
  switch (record.t) {
    case 'movie':
      return {
        kind: 'movieFound',
        movie: movie.id,
        path: reportPath(movie.path),
        sizeBytes: movie.size,
        format: movie.format,
        modifiedAt: Math.max(0, movie.mtimeMs),
        ...(movie.checksum ? {checksum: movie.checksum} : {}),
        ...sidecarField(movie),
      }
    case 'step-started': {
      return {
        kind: 'stepStarted',
        movie: movie.id,
        step: record.step,
        version: record.version,
        program: record.program,
        attempt: movie.steps[record.step]?.attempts ?? 1,
      }
    }
    case 'step-done':
      return {
        kind: 'stepFinished',
        movie: movie.id,
        step: record.step,
        version: movie.steps[record.step]?.version ?? 1,
        result: record.result,
        outputs: outputsOf(record.result),
        run: {...record.run, host},
      } as StepFinished
    case 'step-failed':
      return {
        kind: 'stepFailed',
        movie: movie.id,
        step: record.step,
        version: Math.max(1, movie.steps[record.step]?.version ?? 1),
        error: record.error,
        willRetry: !record.final,
        attempt: movie.steps[record.step]?.attempts ?? 1,
        ...(record.run ? {run: {...record.run, host}} : {}),
      }
    default:
      return undefined
  }
}

function sidecarField(movie: MovieRecord): {sidecar?: MovieSidecarEvent} {
  const sidecar = movie.sidecar && sidecarEvent(movie.sidecar)
  return sidecar ? {sidecar} : {}
}

/** Fields of the result types (core/results) that name files a step wrote. */
const OUTPUT_FIELDS = ['micrograph', 'micrographNoDW', 'starFile', 'psdImage', 'coordinatesFile', 'micrographPreview', 'psdPreview']

export function outputsOf(result: unknown): string[] {
  if (result === null || typeof result !== 'object') return []
  const fields = result as Record<string, unknown>
  return OUTPUT_FIELDS.map((f) => fields[f]).filter((v): v is string => typeof v === 'string')
}

/** Whether a record causes an event (decided before it is written, so its seq can be stamped on it). */
export function causesEvent(record: StateRecord): boolean {
  return record.t === 'movie' || record.t === 'step-started' || record.t === 'step-done' || record.t === 'step-failed'
}
