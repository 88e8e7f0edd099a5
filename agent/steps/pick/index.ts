// The picking step's edge: read the micrograph, pick (pure kernel), write the RELION
// coordinate file, return the shared PickResult.
import {mkdir, writeFile} from 'node:fs/promises'
import {basename, extname, join} from 'node:path'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import type {PickResult} from '../../../core/results/index.js'
import {formatCoordinateStar} from './coords-star.js'
import type {PickOptions} from './options.js'
import {pickMicrograph, PickOptionsError} from './pick-micrograph.js'

export {defaultPickOptions, type PickOptions} from './options.js'
export {PickOptionsError} from './pick-micrograph.js'

/** `<outDir>/<micrograph name without extension>_<pickName>.star`, as RELION names it. */
export function coordinateFileName(micrographPath: string, outDir: string, pickName: string): string {
  const name = basename(micrographPath, extname(micrographPath))
  return join(outDir, `${name}_${pickName}.star`)
}

export async function pickParticles(micrographPath: string, outDir: string, options: PickOptions): Promise<PickResult> {
  const {image, pixelSize: recorded} = await readMrcImage(micrographPath)
  const pixelSize = options.pixelSize ?? recorded
  if (!(pixelSize > 0)) {
    throw new PickOptionsError('pixelSize', `${micrographPath} records no pixel size; set pixelSize (A/px) in the pick options`)
  }
  const picks = pickMicrograph(image, pixelSize, options)
  const coordinatesFile = coordinateFileName(micrographPath, outDir, options.pickName)
  await mkdir(outDir, {recursive: true})
  const rows = picks.coordinates.map(([x, y], i) => ({x, y, figureOfMerit: picks.scores[i]}))
  await writeFile(coordinatesFile, formatCoordinateStar(rows))
  return {
    count: picks.coordinates.length,
    coordinates: picks.coordinates,
    scores: picks.scores,
    coordinatesFile,
    diameters: picks.diameters,
  }
}
