// RELION 3.1 per-movie metadata STAR (what relion_run_motioncorr writes next to each
// micrograph, and what Bayesian polishing reads): data_general, data_global_shift, and with a
// local model data_local_motion_model + data_local_shift; hot pixels in data_hot_pixels.

import {formatStar, loopBlock, pairsBlock, relionStarFile, type StarBlock, type StarFile} from '../../../core/formats/star.js'

export interface MotionStarInput {
  width: number
  height: number
  frameCount: number
  movieName: string
  binning: number
  pixelSize: number
  dosePerFrame: number
  preExposure: number
  voltage: number
  /** 1-based number of the first frame used. */
  startFrame: number
  /** Used frames' 1-based numbers and their shifts (input px, RELION sign). */
  frameNumbers: number[]
  shifts: [number, number][]
  gainReference?: string
  defectFile?: string
  hotPixels?: {x: number; y: number}[]
  local?: {
    coeffX: number[]
    coeffY: number[]
    /** Observations the model was fitted to: 1-based frame, patch centre (px), shift (px). */
    observations: {frame: number; x: number; y: number; shiftX: number; shiftY: number}[]
  }
}

/** The per-movie STAR as blocks (core/formats/star.ts writes and reads them). */
export function motionStarFile(m: MotionStarInput): StarFile {
  const general: Record<string, string | number> = {
    rlnImageSizeX: m.width,
    rlnImageSizeY: m.height,
    rlnImageSizeZ: m.frameCount,
    rlnMicrographMovieName: m.movieName,
  }
  if (m.gainReference) general.rlnMicrographGainName = m.gainReference
  if (m.defectFile) general.rlnMicrographDefectFile = m.defectFile
  Object.assign(general, {
    rlnMicrographBinning: m.binning,
    rlnMicrographOriginalPixelSize: m.pixelSize,
    rlnMicrographDoseRate: m.dosePerFrame,
    rlnMicrographPreExposure: m.preExposure,
    rlnVoltage: m.voltage,
    rlnMicrographStartFrame: m.startFrame,
    // RELION's MotionModelVersion: 0 none, 1 third-order polynomial.
    rlnMotionModelVersion: m.local ? 1 : 0,
  })
  const blocks: StarBlock[] = [
    pairsBlock('general', general),
    loopBlock('global_shift', ['rlnMicrographFrameNumber', 'rlnMicrographShiftX', 'rlnMicrographShiftY'], m.frameNumbers.map((f, i) => [f, m.shifts[i][0], m.shifts[i][1]])),
  ]
  if (m.local) {
    blocks.push(
      loopBlock('local_motion_model', ['rlnMotionModelCoeffsIdx', 'rlnMotionModelCoeff'], [...m.local.coeffX, ...m.local.coeffY].map((c, i) => [i, c])),
      loopBlock(
        'local_shift',
        ['rlnMicrographFrameNumber', 'rlnCoordinateX', 'rlnCoordinateY', 'rlnMicrographShiftX', 'rlnMicrographShiftY'],
        // RELION reads the frame number as an integer.
        m.local.observations.map((o) => [Math.round(o.frame), o.x, o.y, o.shiftX, o.shiftY]),
      ),
    )
  }
  if (m.hotPixels?.length) blocks.push(loopBlock('hot_pixels', ['rlnCoordinateX', 'rlnCoordinateY'], m.hotPixels.map((p) => [p.x, p.y])))
  return relionStarFile(blocks)
}

export function formatMotionStar(m: MotionStarInput): string {
  return formatStar(motionStarFile(m))
}
