// What the agent records about a movie once it is ready: its format and kind, its checksum
// (provenance) and the sidecar beside it. Each read opens one file at a time and closes it.
import {fileChecksum} from './checksum.js'
import {describeMovie, type MovieKind} from './movie-kind.js'
import type {ReadyFile} from './readiness.js'
import {readSidecar, type MovieSidecar} from './sidecar.js'

export interface FoundMovie extends ReadyFile, MovieKind {
  /** "sha256:<hex>"; absent when the file could not be read (then checksumError says why). */
  checksum?: string
  checksumError?: string
  sidecar?: MovieSidecar
  sidecarError?: string
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** Never throws: what could not be read is named in the result, and the movie's steps then fail with the reader's reason. */
export async function inspectMovie(file: ReadyFile): Promise<FoundMovie> {
  const found: FoundMovie = {...file, ...(await describeMovie(file.path))}
  try {
    found.checksum = await fileChecksum(file.path)
  } catch (e) {
    found.checksumError = reason(e)
  }
  try {
    const sidecar = await readSidecar(file.path)
    if (sidecar) found.sidecar = sidecar
  } catch (e) {
    found.sidecarError = reason(e)
  }
  return found
}
