// A small simulated movie (512x512, few frames) written to disk, for tests that run the real steps.
// Its content follows the seed and the file's name, not the folder (tests write into random
// temporary folders: the same test must get the same movie every run).
import {basename} from 'node:path'
import {createRng} from '../../scripts/simulator/rng.js'
import {defaultSessionParameters, drawMovieOptions} from '../../scripts/simulator/options.js'
import {simulateMovie} from '../../scripts/simulator/movie.js'
import {writeMovie} from '../../scripts/simulator/write-movie.js'

export async function writeSmallMovie(path: string, options: {seed?: number; frames?: number; size?: number} = {}): Promise<{defocusU: number; defocusV: number}> {
  const size = options.size ?? 512
  const session = {...defaultSessionParameters, width: size, height: size, frames: options.frames ?? 8, badFraction: 0, seed: options.seed ?? 1}
  const movie = simulateMovie(drawMovieOptions(session, createRng(session.seed, 'small-movie'), basename(path)))
  await writeMovie(path, movie, 'mrc')
  return {defocusU: movie.truth.defocusU, defocusV: movie.truth.defocusV}
}
