// The RELION 3.1 micrograph STAR files (pure: rows in, STAR text out): data_optics with one
// optics group per micrograph pixel size, then data_micrographs with motion and CTF columns.
import {formatStar, loopBlock, relionStarFile, type StarBlock} from '../../core/formats/star.js'
import type {Acquisition} from '../../core/workflow/index.js'

export interface ExportedMicrograph {
  /** Paths relative to the export folder. */
  micrograph: string
  motionStar?: string
  psd?: string
  pixelSize: number
  totalMotion: number
  earlyMotion: number
  lateMotion: number
  defocusU: number
  defocusV: number
  defocusAngle: number
  phaseShift: number
  resolution: number
  figureOfMerit: number
}

function opticsGroups(micrographs: ExportedMicrograph[]): Map<number, number> {
  const sizes = [...new Set(micrographs.map((m) => m.pixelSize))].sort((a, b) => a - b)
  return new Map(sizes.map((size, i) => [size, i + 1]))
}

function opticsBlock(groups: Map<number, number>, acquisition: Acquisition): StarBlock {
  return loopBlock(
    'optics',
    ['rlnOpticsGroupName', 'rlnOpticsGroup', 'rlnMicrographOriginalPixelSize', 'rlnVoltage', 'rlnSphericalAberration', 'rlnAmplitudeContrast', 'rlnMicrographPixelSize'],
    [...groups].map(([size, group]) => [`opticsGroup${group}`, group, acquisition.pixelSize, acquisition.voltage, acquisition.sphericalAberration, acquisition.amplitudeContrast, size]),
  )
}

/** A column only when every row has it (STAR loops have no missing cells). */
const optional = (micrographs: ExportedMicrograph[], key: 'motionStar' | 'psd') => micrographs.length > 0 && micrographs.every((m) => m[key] !== undefined)

export function correctedMicrographsStar(micrographs: ExportedMicrograph[], acquisition: Acquisition): string {
  const groups = opticsGroups(micrographs)
  const metadata = optional(micrographs, 'motionStar')
  const columns = ['rlnMicrographName', ...(metadata ? ['rlnMicrographMetadata'] : []), 'rlnOpticsGroup', 'rlnAccumMotionTotal', 'rlnAccumMotionEarly', 'rlnAccumMotionLate']
  const rows = micrographs.map((m) => [m.micrograph, ...(metadata ? [m.motionStar!] : []), groups.get(m.pixelSize)!, m.totalMotion, m.earlyMotion, m.lateMotion])
  return formatStar(relionStarFile([opticsBlock(groups, acquisition), loopBlock('micrographs', columns, rows)]))
}

export function micrographsCtfStar(micrographs: ExportedMicrograph[], acquisition: Acquisition): string {
  const groups = opticsGroups(micrographs)
  const metadata = optional(micrographs, 'motionStar')
  const psd = optional(micrographs, 'psd')
  const phase = micrographs.some((m) => m.phaseShift !== 0)
  const columns = [
    'rlnMicrographName', ...(metadata ? ['rlnMicrographMetadata'] : []), 'rlnOpticsGroup', 'rlnAccumMotionTotal', 'rlnAccumMotionEarly', 'rlnAccumMotionLate',
    ...(psd ? ['rlnCtfImage'] : []), 'rlnDefocusU', 'rlnDefocusV', 'rlnCtfAstigmatism', 'rlnDefocusAngle', 'rlnCtfFigureOfMerit', 'rlnCtfMaxResolution',
    ...(phase ? ['rlnPhaseShift'] : []),
  ]
  const rows = micrographs.map((m) => [
    m.micrograph, ...(metadata ? [m.motionStar!] : []), groups.get(m.pixelSize)!, m.totalMotion, m.earlyMotion, m.lateMotion,
    ...(psd ? [`${m.psd!}:mrc`] : []), m.defocusU, m.defocusV, Math.abs(m.defocusU - m.defocusV), m.defocusAngle, m.figureOfMerit, m.resolution,
    ...(phase ? [m.phaseShift] : []),
  ])
  return formatStar(relionStarFile([opticsBlock(groups, acquisition), loopBlock('micrographs', columns, rows)]))
}
