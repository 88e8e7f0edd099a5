// Local (patch) alignment after the global one, on the same small filtered spectra: the
// globally aligned group spectra are brought back to (low-resolution) real space, cut into a
// grid of patches, each patch stack aligned like a movie, and RELION's polynomial model fitted
// to the residual trajectories.
import {realFft2D} from '../../../core/numeric/fft.js'
import {alignSpectra} from './align-global.js'
import type {GridSize} from './alignment-spectrum.js'
import {groupCentre, type FrameGroup} from './frame-groups.js'
import {fitLocalModel, type LocalObservation} from './local-model.js'

export interface PatchOptions {
  patchesX: number
  patchesY: number
  maxIterations: number
  /** Input pixels. */
  tolerance: number
  searchRange: number
  smoothTrajectory: boolean
}

export interface PatchTrajectory {
  /** Patch centre (input px). */
  x: number
  y: number
  /** Residual shift per group (input px, RELION sign), re-referenced to the first frame. */
  shifts: [number, number][]
}

export interface PatchAlignment {
  patchesX: number
  patchesY: number
  coeffX: number[]
  coeffY: number[]
  rmsX: number
  rmsY: number
  patches: PatchTrajectory[]
  /** Model time z (frame index from the first used frame) of each group. */
  frames: number[]
}

/** A model that explains the patches this badly (px) is not used, as in RELION. */
export const MAX_FIT_RMS = 10

/**
 * `aligned`: group spectra on the `fine` grid, B-filtered and globally aligned; `full`: the
 * movie's size. Returns undefined when too few patches converge or the model does not fit.
 */
export function alignPatches(aligned: Float32Array[], fine: GridSize, groups: FrameGroup[], full: GridSize, options: PatchOptions): PatchAlignment | undefined {
  const fft = realFft2D(fine.width, fine.height)
  const images = aligned.map((s) => fft.inverse(s.slice()))
  const sx = full.width / fine.width
  const sy = full.height / fine.height
  const frames = groups.map(groupCentre)
  const patches: PatchTrajectory[] = []
  for (const box of patchBoxes(fine, options.patchesX, options.patchesY)) {
    const pfft = realFft2D(box.width, box.height)
    const window = taper(box.width, box.height)
    const spectra = images.map((img) => pfft.forward(cutPatch(img, fine.width, box, window)))
    const r = alignSpectra(spectra, box.width, box.height, {
      maxIterations: options.maxIterations,
      tolerance: options.tolerance / Math.max(sx, sy),
      searchRange: Math.min(options.searchRange / Math.max(sx, sy), box.width / 4, box.height / 4),
      coarseWidth: box.width,
      coarseHeight: box.height,
      smooth: options.smoothTrajectory,
    })
    if (!r.converged) continue
    const shifts = r.shifts.map(([x, y]) => [x * sx, y * sy] as [number, number])
    const offset = atFrameZero(shifts, frames)
    patches.push({
      x: (box.x + (box.width - 1) / 2) * sx,
      y: (box.y + (box.height - 1) / 2) * sy,
      shifts: shifts.map(([x, y]) => [x - offset[0], y - offset[1]]),
    })
  }
  const observations: LocalObservation[] = patches.flatMap((p) =>
    p.shifts.map(([shiftX, shiftY], g) => ({x: p.x / full.width - 0.5, y: p.y / full.height - 0.5, z: frames[g], shiftX, shiftY})),
  )
  const fit = fitLocalModel(observations)
  if (!fit || fit.rmsX >= MAX_FIT_RMS || fit.rmsY >= MAX_FIT_RMS) return undefined
  return {patchesX: options.patchesX, patchesY: options.patchesY, ...fit, patches, frames}
}

export interface PatchBox {
  x: number
  y: number
  width: number
  height: number
}

/** RELION's patch layout: size / n per patch, the last one clipped, every patch made even. */
export function patchBoxes(size: GridSize, nx: number, ny: number): PatchBox[] {
  const axis = (n: number, count: number) =>
    Array.from({length: count}, (_, k) => {
      const step = Math.floor(n / count)
      let start = k * step
      let end = Math.min(start + step, n)
      if ((end - start) % 2 === 1) {
        if (end === n) start++
        else end--
      }
      return {start, length: end - start}
    })
  const xs = axis(size.width, nx)
  const ys = axis(size.height, ny)
  return ys.flatMap((y) => xs.map((x) => ({x: x.start, y: y.start, width: x.length, height: y.length})))
}

/** The patch minus its mean, times the window (so its edges do not correlate with themselves). */
function cutPatch(image: Float32Array, width: number, box: PatchBox, window: Float32Array): Float32Array {
  const out = new Float32Array(box.width * box.height)
  let sum = 0
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const v = image[(box.y + y) * width + box.x + x]
      out[y * box.width + x] = v
      sum += v
    }
  }
  const m = sum / out.length
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - m) * window[i]
  return out
}

/** Separable raised-cosine edge over 1/8 of each side. */
function taper(width: number, height: number): Float32Array {
  const edge = (n: number) =>
    Float32Array.from({length: n}, (_, i) => {
      const e = Math.max(1, Math.floor(n / 8))
      const d = Math.min(i, n - 1 - i)
      return d >= e ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (d + 0.5)) / e)
    })
  const wx = edge(width)
  const wy = edge(height)
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = wx[x] * wy[y]
  return out
}

/** Trajectory value at frame 0, extrapolated linearly from the first two groups. */
function atFrameZero(shifts: [number, number][], frames: number[]): [number, number] {
  if (frames[0] === 0) return shifts[0]
  const t = (0 - frames[0]) / (frames[1] - frames[0])
  return [shifts[0][0] + t * (shifts[1][0] - shifts[0][0]), shifts[0][1] + t * (shifts[1][1] - shifts[0][1])]
}
