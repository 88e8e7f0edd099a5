// Where an export puts things: a RELION-style project folder, so that RELION finds coordinates
// by its own rule (coord_dir + micrograph path after "jobNNN/", extension swapped for the suffix)
// and particle stacks land inside the folder. STAR files at the top hold paths relative to it.
import {posix} from 'node:path'
import {ExportError} from './errors.js'

export const MOTION_JOB = 'MotionCorr/job001'
export const CTF_JOB = 'CtfFind/job002'
export const PICK_JOB = 'AutoPick/job003'
export const COORD_SUFFIX = '_autopick.star'
export const CORRECTED_STAR = 'corrected_micrographs.star'
export const CTF_STAR = 'micrographs_ctf.star'

export interface ExposurePaths {
  /** Relative to the export folder. */
  micrograph: string
  motionStar: string
  psd: string
  coordinates: string
}

/** The export's relative paths for a movie id (its path under the inputFolder). */
export function exposurePaths(movie: string): ExposurePaths {
  const parts = movie.split('/')
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new ExportError(movie, 'a movie id with empty, "." or ".." path parts cannot be exported')
  const stem = posix.join('Movies', movie.replace(/\.[^./]+$/, ''))
  return {
    micrograph: posix.join(MOTION_JOB, `${stem}.mrc`),
    motionStar: posix.join(MOTION_JOB, `${stem}.star`),
    psd: posix.join(CTF_JOB, `${stem}_PS.mrc`),
    coordinates: posix.join(PICK_JOB, `${stem}${COORD_SUFFIX}`),
  }
}

/** RELION's coords_suffix file: names the micrographs STAR the coordinates belong to. */
export const coordsSuffixFile = () => posix.join(PICK_JOB, `coords_suffix${COORD_SUFFIX.replace(/\.star$/, '')}.star`)
