// The one-micrograph input STAR that relion_autopick and relion_run_ctffind read (RELION 3.1:
// an optics group, then the micrographs loop).
import {formatStar, loopBlock, relionStarFile} from '../../../core/formats/star.js'

/** For one micrograph (a relative name inside the working folder). */
export function micrographsStar(input: string, pixelSize: number, s: {voltage: number; sphericalAberration: number; amplitudeContrast: number}): string {
  return formatStar(
    relionStarFile([
      loopBlock('optics', ['rlnOpticsGroupName', 'rlnOpticsGroup', 'rlnMicrographPixelSize', 'rlnVoltage', 'rlnSphericalAberration', 'rlnAmplitudeContrast'], [
        ['opticsGroup1', 1, pixelSize, s.voltage, s.sphericalAberration, s.amplitudeContrast],
      ]),
      loopBlock('micrographs', ['rlnMicrographName', 'rlnOpticsGroup'], [[input, 1]]),
    ]),
  )
}
