// EER as a Falcon 4 records it: each rendered frame's counts are split into `grouping` hardware
// frames (Poisson splitting: each electron lands in a random one), at most one electron per
// pixel per hardware frame (coincidence loss), with a sub-pixel position on the 4x grid.
import {eerFileChunks, type EerElectrons} from '../../core/formats/eer.js'
import type {PreparedMovie} from './movie.js'
import type {Rng} from './rng.js'

/**
 * Hardware frames of one rendered frame. EER pixels are used in stream order (RELION 3.1 does
 * not flip EER as it flips TIFF), so row y of `counts` is row y of the file. Positions come
 * out ascending, as the encoder wants them.
 */
export function splitIntoHardwareFrames(counts: Float32Array, width: number, height: number, grouping: number, rng: Rng): EerElectrons[] {
  const perFrame = new Uint32Array(grouping)
  let total = 0
  for (const c of counts) total += Math.min(c, grouping)
  const frameOf = new Uint16Array(total)
  const pixelOf = new Uint32Array(total)
  const taken = new Uint8Array(grouping)
  const chosen = new Uint16Array(grouping)
  let e = 0
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) {
      const k = Math.min(counts[row * width + x], grouping)
      if (k === 0) continue
      // k distinct hardware frames (k is small: rejection sampling rarely repeats).
      for (let n = 0; n < k; ) {
        const f = rng.int(grouping)
        if (taken[f]) continue
        taken[f] = 1
        chosen[n++] = f
      }
      for (let n = 0; n < k; n++) {
        const f = chosen[n]
        taken[f] = 0
        frameOf[e] = f
        pixelOf[e++] = row * width + x
        perFrame[f]++
      }
    }
  }
  const frames = Array.from(perFrame, (n) => ({positions: new Uint32Array(n), subpixels: new Uint8Array(n)}))
  const fill = new Uint32Array(grouping)
  for (let i = 0; i < total; i++) {
    const f = frameOf[i]
    frames[f].positions[fill[f]] = pixelOf[i]
    frames[f].subpixels[fill[f]++] = rng.int(16)
  }
  return frames
}

/** The EER file's parts (in order) of a movie whose rendered frames are `frames` (counts per pixel). */
export function encodeEerMovie(frames: Float32Array[], width: number, height: number, grouping: number, rng: Rng): Uint8Array[] {
  return encodeEerFrames(frames.length, (i) => frames[i], width, height, grouping, rng)
}

/**
 * The EER file's parts of a prepared movie, counting one rendered frame at a time into one
 * scratch frame: only that frame's electrons are held, never the whole movie's.
 */
export function encodePreparedEerMovie(movie: PreparedMovie, grouping: number, rng: Rng): Uint8Array[] {
  const scratch = new Float32Array(movie.width * movie.height)
  return encodeEerFrames(movie.frameCount, (i) => movie.frame(i, scratch), movie.width, movie.height, grouping, rng)
}

/** Splits rendered frame i when the encoder reaches its first hardware frame (pages come in order). */
function encodeEerFrames(count: number, renderedFrame: (i: number) => Float32Array, width: number, height: number, grouping: number, rng: Rng): Uint8Array[] {
  let current: EerElectrons[] = []
  const hardwareFrame = (h: number) => {
    if (h % grouping === 0) current = splitIntoHardwareFrames(renderedFrame(h / grouping), width, height, grouping, rng)
    return current[h % grouping]
  }
  return [...eerFileChunks(count * grouping, hardwareFrame, {width, height})]
}
