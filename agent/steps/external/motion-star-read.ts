// Reads a RELION 3.1 per-movie motion STAR (relion_run_motioncorr's, whichever program it
// drove) into MotionResult pieces: global shifts with their frame numbers, and the local model.
import {blockLoop, blockPairs, findBlock, loopRecords, numberColumn, parseStar} from '../../../core/formats/star.js'
import type {LocalMotionModel} from '../../../core/results/index.js'
import {ExternalProgramError} from './errors.js'

export interface MotionStarContent {
  frameNumbers: number[]
  shifts: [number, number][]
  /** Patch observations and the polynomial, when the movie had a local model. */
  local?: Omit<LocalMotionModel, 'patchesX' | 'patchesY'>
}

export function readMotionStar(text: string, file: string, program: string): MotionStarContent {
  const star = parseStar(text, file)
  const global = findBlock(star, 'global_shift')
  const loop = global && blockLoop(global)
  if (!loop) throw new ExternalProgramError(program, 'unparseable', `${file}: no data_global_shift loop`)
  const frameNumbers = numberColumn(loop, 'rlnMicrographFrameNumber', file)
  const x = numberColumn(loop, 'rlnMicrographShiftX', file)
  const y = numberColumn(loop, 'rlnMicrographShiftY', file)
  const content: MotionStarContent = {frameNumbers, shifts: x.map((v, i) => [v, y[i]])}
  const general = findBlock(star, 'general')
  const modelBlock = findBlock(star, 'local_motion_model')
  const shiftBlock = findBlock(star, 'local_shift')
  if (general && Number(blockPairs(general).rlnMotionModelVersion) === 1 && modelBlock && shiftBlock) {
    const coeffs = loopRecords(blockLoop(modelBlock)!).sort((a, b) => Number(a.rlnMotionModelCoeffsIdx) - Number(b.rlnMotionModelCoeffsIdx))
    const values = coeffs.map((r) => Number(r.rlnMotionModelCoeff))
    const half = values.length / 2
    content.local = {coeffX: values.slice(0, half), coeffY: values.slice(half), patches: patchTrajectories(loopRecords(blockLoop(shiftBlock)!))}
  }
  return content
}

function patchTrajectories(rows: Record<string, string>[]): LocalMotionModel['patches'] {
  const byPatch = new Map<string, LocalMotionModel['patches'][number]>()
  for (const r of rows) {
    const key = `${r.rlnCoordinateX} ${r.rlnCoordinateY}`
    let patch = byPatch.get(key)
    if (!patch) byPatch.set(key, (patch = {x: Number(r.rlnCoordinateX), y: Number(r.rlnCoordinateY), shifts: []}))
    patch.shifts.push([Number(r.rlnMicrographShiftX), Number(r.rlnMicrographShiftY)])
  }
  return [...byPatch.values()]
}
