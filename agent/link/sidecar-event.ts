// The wire form of a movie's sidecar (core/protocol MovieSidecarSchema): the fields the report
// uses. Values the schema would refuse are left out, so one odd sidecar cannot block the outbox.
import type {MovieSidecarEvent} from '../../core/protocol/events.js'
import type {MovieSidecar} from '../watch/sidecar.js'

const MAX_TEXT = 64
const MAX_PATH = 4096

/** The sidecar as sent with movieFound, or undefined when its file name is unusable. */
export function sidecarEvent(sidecar: MovieSidecar): MovieSidecarEvent | undefined {
  if (sidecar.file.length === 0 || sidecar.file.length > MAX_PATH) return undefined
  const event: MovieSidecarEvent = {file: sidecar.file, format: sidecar.format}
  if (isFinite(sidecar.targetDefocus)) event.nominalDefocus = sidecar.targetDefocus
  if (isFinite(sidecar.totalDose) && sidecar.totalDose >= 0) event.totalDose = sidecar.totalDose
  const acquiredAt = boundedText(sidecar.acquiredAt)
  if (acquiredAt) event.acquiredAt = acquiredAt
  const gridSquare = boundedText(gridSquareOf(sidecar.file))
  if (gridSquare) event.gridSquare = gridSquare
  return event
}

/** EPU writes each exposure under Images-Disc<k>/GridSquare_<n>/Data/; the square is <n>. */
export function gridSquareOf(path: string): string | undefined {
  return /(?:^|[\\/])GridSquare_([^\\/]+)[\\/]/.exec(path)?.[1]
}

const isFinite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v)

function boundedText(text: string | undefined): string | undefined {
  const trimmed = text?.trim()
  return trimmed && trimmed.length <= MAX_TEXT ? trimmed : undefined
}
