// RELION 3.1 per-movie metadata STAR (what relion_run_motioncorr writes next to each
// micrograph, and what Bayesian polishing reads): data_general, data_global_shift, and with a
// local model data_local_motion_model + data_local_shift; hot pixels in data_hot_pixels.

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

const HEADER = '\n# version 30001\n\n'

export function formatMotionStar(m: MotionStarInput): string {
  const general: [string, string][] = [
    ['rlnImageSizeX', String(m.width)],
    ['rlnImageSizeY', String(m.height)],
    ['rlnImageSizeZ', String(m.frameCount)],
    ['rlnMicrographMovieName', m.movieName],
  ]
  if (m.gainReference) general.push(['rlnMicrographGainName', m.gainReference])
  if (m.defectFile) general.push(['rlnMicrographDefectFile', m.defectFile])
  general.push(
    ['rlnMicrographBinning', fixed(m.binning)],
    ['rlnMicrographOriginalPixelSize', fixed(m.pixelSize)],
    ['rlnMicrographDoseRate', fixed(m.dosePerFrame)],
    ['rlnMicrographPreExposure', fixed(m.preExposure)],
    ['rlnVoltage', fixed(m.voltage)],
    ['rlnMicrographStartFrame', String(m.startFrame)],
    ['rlnMotionModelVersion', m.local ? '1' : '0'],
  )
  let text = block('general') + general.map(([k, v]) => `_${k.padEnd(40)} ${v}\n`).join('') + ' \n'
  text += loop(
    'global_shift',
    ['rlnMicrographFrameNumber', 'rlnMicrographShiftX', 'rlnMicrographShiftY'],
    m.frameNumbers.map((f, i) => [String(f), fixed(m.shifts[i][0]), fixed(m.shifts[i][1])]),
  )
  if (m.local) {
    const coeffs = [...m.local.coeffX, ...m.local.coeffY]
    text += loop('local_motion_model', ['rlnMotionModelCoeffsIdx', 'rlnMotionModelCoeff'], coeffs.map((c, i) => [String(i), c.toExponential(6)]))
    text += loop(
      'local_shift',
      ['rlnMicrographFrameNumber', 'rlnCoordinateX', 'rlnCoordinateY', 'rlnMicrographShiftX', 'rlnMicrographShiftY'],
      m.local.observations.map((o) => [String(Math.round(o.frame)), fixed(o.x), fixed(o.y), fixed(o.shiftX), fixed(o.shiftY)]),
    )
  }
  if (m.hotPixels?.length) {
    text += loop('hot_pixels', ['rlnCoordinateX', 'rlnCoordinateY'], m.hotPixels.map((p) => [String(p.x), String(p.y)]))
  }
  return text
}

function block(name: string): string {
  return `${HEADER}data_${name}\n\n`
}

function loop(name: string, labels: string[], rows: string[][]): string {
  const head = labels.map((l, i) => `_${l} #${i + 1} \n`).join('')
  const body = rows.map((r) => r.map((v) => v.padStart(12)).join(' ') + ' \n').join('')
  return `${block(name)}loop_ \n${head}${body} \n`
}

function fixed(v: number): string {
  return v.toFixed(6)
}
