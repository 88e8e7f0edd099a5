// The built-in motion correction step (the edge: files in, files out). Reads each frame once
// to check it and find hot pixels, then again to gain-correct, repair and transform it; the
// alignment runs on small cropped spectra, the aligned dose-weighted sum is made in Fourier
// space from the full spectra with one inverse FFT at the output size.
import {mkdir, writeFile} from 'node:fs/promises'
import {basename, extname, join} from 'node:path'
import {realFft2D, spectrumLength} from '../../../core/numeric/fft.js'
import {lastingPool} from '../../../core/numeric/lasting-pool.js'
import {sharedFloat32, toShared, type WorkerPool} from '../../../core/numeric/worker-pool.js'
import {openMovie, type MovieReader} from '../../../core/formats/movie.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import type {LocalMotionModel, MotionResult} from '../../../core/results/index.js'
import {accumulatedMotion} from './accumulated-motion.js'
import {alignSpectra} from './align-global.js'
import {alignedSum, locallyWarpedSum, type AlignedSumImages, type AlignedSumInput, type AlignedSumSpectra} from './aligned-sum.js'
import {alignmentSize, alignmentWeights, coarseSize, type GridSize} from './alignment-spectrum.js'
import {badPixelList, markHotPixels, markWhere} from './defects.js'
import {doseWeightTable, framesEndDose, type DoseWeightTable} from './dose-weight.js'
import {MotionError} from './errors.js'
import {frameGroups, interpolateGroupShifts, type FrameGroup} from './frame-groups.js'
import {checkGainOrientation, multiplyInPlace, orientationLooksWrong} from './gain.js'
import {alignPatches, type PatchAlignment} from './align-local.js'
import {frameSpectra, type FrameCorrection, type FrameStats} from './frame-spectrum.js'
import {checkFrame, firstPassFrames, loadGain, markDefectFile, prefetch, sumFrames} from './movie-input.js'
import {formatMotionStar} from './motion-star.js'
import {resolveMotionOptions, type MotionOptions} from './options.js'
import {residualGain} from './residual-gain.js'

export {defaultMotionOptions, type MotionOptions} from './options.js'
export {MotionError} from './errors.js'

export async function correctMotion(moviePath: string, outDir: string, given: Partial<MotionOptions> = {}): Promise<MotionResult> {
  const options = resolveMotionOptions(given)
  const movie = await openMovie(moviePath, {eerUpsampling: options.eerUpsampling, eerGrouping: options.eerGrouping})
  try {
    return await correctOpenMovie(movie, outDir, options)
  } finally {
    await movie.close()
  }
}

async function correctOpenMovie(movie: MovieReader, outDir: string, options: MotionOptions): Promise<MotionResult> {
  const {width, height} = movie
  const frameNumbers = usedFrames(movie, options)
  const groups = frameGroups(frameNumbers.length, options.groupFrames)
  if (groups.length < 2) {
    throw new MotionError(movie.path, 'too-few-frames', `${frameNumbers.length} frame(s) to sum in groups of ${options.groupFrames}: at least 2 groups are needed to align`)
  }
  const pixelSize = options.pixelSize || movie.pixelSize || 0
  const dosePerFrame = options.dosePerFrame || movie.dosePerFrame || 0
  if (options.doseWeighting && !(pixelSize > 0)) throw missing(movie.path, 'pixel size', 'pixelSize')
  if (options.doseWeighting && !(dosePerFrame > 0)) throw missing(movie.path, 'dose per frame', 'dosePerFrame')

  const warnings: string[] = []
  const gain = options.gainReference ? await loadGain(options, movie) : undefined
  const sampled = firstPassFrames(frameNumbers)
  const {sum: rawSum, frames: held} = await sumFrames(movie, sampled)
  const bad = new Uint8Array(width * height)
  if (options.defectFile) await markDefectFile(bad, options.defectFile, width, height)
  if (gain) {
    markWhere(bad, gain.data, true)
    const check = checkGainOrientation({width, height, data: rawSum}, gain.source, options.gainRotation, options.gainFlip, bad)
    if (orientationLooksWrong(check)) {
      warnings.push(
        `gain reference ${options.gainReference} looks wrongly oriented: rotation ${check.best.rotation}, flip ${check.best.flip} ` +
          `matches the detector's pattern in the movie better (correlation ${check.best.correlation.toFixed(3)} vs ${check.given.toFixed(3)} with rotation ${options.gainRotation}, flip ${options.gainFlip})`,
      )
    }
    multiplyInPlace(rawSum, gain.data)
  }
  const hot = options.hotPixelSigma > 0 ? markHotPixels(bad, rawSum, options.hotPixelSigma) : undefined
  const hotPixels = hot?.count ? listMarked(bad, rawSum, hot.threshold, width) : []
  const badList = badPixelList(bad)
  // Scipion's residual-gain statistics, for the controller's gain monitor.
  const gainResidual = residualGain(rawSum, width, height, bad)
  const frameMean = (hot?.mean ?? mean(rawSum)) / sampled.length

  // Full spectra of every frame (needed for the sum) and their cropped, filtered copies (alignment).
  const fine = alignmentSize(width, height, options.bfactor)
  const pool = options.threads > 1 ? lastingPool([TASKS], options.threads) : undefined
  const binned = binnedSize(movie.path, width, height, options.binning)
  // Workers read the gain and the bad-pixel lists in place: shared, not copied per frame.
  const forWorkers = pool ? share : <T>(a: T) => a
  const correction: FrameCorrection = {
    width,
    height,
    gain: gain && forWorkers(gain.data),
    mask: forWorkers(bad),
    bad: forWorkers(badList),
    frameMean,
    fine,
    bfactor: options.bfactor,
    weights: forWorkers(alignmentWeights(width, height, fine, options.bfactor)),
  }
  const {spectra, small} = await transformFrames(movie, frameNumbers, correction, held, pool)
  const global = alignGlobal(small, groups, frameNumbers.length, fine, width, height, options)
  const shifts = global.shifts
  const local = options.patchesX >= 3 && options.patchesY >= 3 ? alignPatches(global.aligned, fine, groups, {width, height}, options) : undefined
  const doses = framesEndDose(frameNumbers, dosePerFrame, options.preExposure, options.voltage)
  const sumInput: AlignedSumInput = {
    spectra,
    width,
    height,
    shifts,
    outWidth: binned.width,
    outHeight: binned.height,
    doseWeights: options.doseWeighting ? forWorkers(doseWeightTable(width, height, pixelSize, doses)) : undefined,
    plain: options.saveNoDoseWeighting,
  }
  const sums: AlignedSumImages = local
    ? locallyWarpedSum(sumInput, {...local, frameZ: shifts.map((_, f) => f)})
    : pool
      ? await alignedSumInParallel(sumInput, pool)
      : alignedSum(sumInput)

  await mkdir(outDir, {recursive: true})
  const root = join(outDir, basename(movie.path, extname(movie.path)))
  const outPixelSize = pixelSize > 0 ? (pixelSize * width) / binned.width : undefined
  const write = (path: string, image: Float32Array) =>
    writeMrc(path, [image], {width: binned.width, height: binned.height, mode: 2, pixelSize: outPixelSize, labels: ['emstream motion correction']})
  const micrograph = `${root}.mrc`
  await write(micrograph, (sums.doseWeighted ?? sums.plain)!)
  const micrographNoDW = sums.doseWeighted && sums.plain ? `${root}_noDW.mrc` : undefined
  if (micrographNoDW) await write(micrographNoDW, sums.plain!)
  if (!local && options.patchesX >= 3 && options.patchesY >= 3) {
    warnings.push(`local alignment on ${options.patchesX}x${options.patchesY} patches did not give a usable model: global alignment only`)
  }

  const motion = accumulatedMotion(shifts, frameNumbers, dosePerFrame || 1, options.preExposure)
  const starFile = `${root}.star`
  await writeFile(
    starFile,
    formatMotionStar({
      width,
      height,
      frameCount: movie.frameCount,
      movieName: movie.path,
      binning: width / binned.width,
      pixelSize,
      dosePerFrame,
      preExposure: options.preExposure,
      voltage: options.voltage,
      startFrame: frameNumbers[0],
      frameNumbers,
      shifts,
      gainReference: options.gainReference || undefined,
      defectFile: options.defectFile || undefined,
      hotPixels,
      local: local && {
        coeffX: local.coeffX,
        coeffY: local.coeffY,
        observations: local.patches.flatMap((p) => p.shifts.map(([sx, sy], g) => ({frame: local.frames[g] + frameNumbers[0], x: p.x, y: p.y, shiftX: sx, shiftY: sy}))),
      },
    }),
  )
  return {
    micrograph,
    micrographNoDW,
    pixelSize: outPixelSize ?? 0,
    shifts,
    totalMotion: motion.total,
    earlyMotion: motion.early,
    lateMotion: motion.late,
    localModel: local && toLocalModel(local),
    starFile,
    frames: frameNumbers.length,
    dosePerFrame,
    warnings: warnings.length ? warnings : undefined,
    gainResidual,
  }
}

/** The worker task module, as source under tsx / vitest and compiled in dist. */
const TASKS = new URL(`./tasks.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)

/**
 * Reads (or takes from `held`, the first pass's frames), corrects and transforms every used
 * frame: in this thread, or with a pool, reading ahead while up to `size` are transformed.
 */
async function transformFrames(movie: MovieReader, frameNumbers: number[], correction: FrameCorrection, held: Map<number, Float32Array>, pool?: WorkerPool) {
  const {width, height, fine} = correction
  const spectra: Float32Array[] = []
  const small: Float32Array[] = []
  const pending = new Set<Promise<void>>()
  let failure: unknown
  // Reading the next frame overlaps with transforming this one.
  let next = prefetch(movie, frameNumbers[0], held)
  for (let f = 0; f < frameNumbers.length; f++) {
    const frame = await next
    if (f + 1 < frameNumbers.length) next = prefetch(movie, frameNumbers[f + 1], held)
    const spectrum = pool ? sharedFloat32(spectrumLength(width, height)) : new Float32Array(spectrumLength(width, height))
    const smallSpectrum = pool ? sharedFloat32(spectrumLength(fine.width, fine.height)) : new Float32Array(spectrumLength(fine.width, fine.height))
    spectra.push(spectrum)
    small.push(smallSpectrum)
    if (!pool) {
      checkFrame(movie, frameNumbers[f], frame, frameSpectra(frame, f, correction, spectrum, smallSpectrum))
      continue
    }
    const shared = toShared(frame)
    const job: Promise<void> = pool
      .run<FrameStats>('motionFrameSpectra', {frame: shared, frameIndex: f, correction, spectrum, small: smallSpectrum})
      .then((stats) => checkFrame(movie, frameNumbers[f], shared, stats))
      .catch((e: unknown) => {
        failure ??= e
      })
      .finally(() => pending.delete(job))
    pending.add(job)
    if (pending.size >= pool.size) await Promise.race(pending)
    if (failure) throw failure
  }
  await Promise.all(pending)
  if (failure) throw failure
  return {spectra, small}
}

/** The global-shift sum with the output rows split between the pool's workers. */
async function alignedSumInParallel(input: AlignedSumInput, pool: WorkerPool): Promise<AlignedSumImages> {
  const length = spectrumLength(input.outWidth, input.outHeight)
  const out: AlignedSumSpectra = {
    doseWeighted: input.doseWeights ? sharedFloat32(length) : undefined,
    plain: !input.doseWeights || input.plain ? sharedFloat32(length) : undefined,
  }
  const parts = pool.size * 4
  const step = Math.ceil(input.outHeight / parts)
  await Promise.all(
    Array.from({length: parts}, (_, k) => ({from: k * step, to: Math.min(input.outHeight, (k + 1) * step)}))
      .filter((rows) => rows.from < rows.to)
      .map((rows) => pool.run('motionSumRows', {input, rows, out})),
  )
  const fft = realFft2D(input.outWidth, input.outHeight)
  return {doseWeighted: out.doseWeighted && fft.inverse(out.doseWeighted), plain: out.plain && fft.inverse(out.plain)}
}

/** A copy in shared memory (typed arrays; a dose table's weights). */
function share<T>(a: T): T {
  if (a instanceof Float32Array || a instanceof Uint8Array || a instanceof Int32Array) {
    const copy = new (a.constructor as {new (b: SharedArrayBuffer): Float32Array | Uint8Array | Int32Array})(new SharedArrayBuffer(a.byteLength))
    copy.set(a as ArrayLike<number>)
    return copy as T
  }
  const table = a as DoseWeightTable
  return {...table, weights: share(table.weights)} as T
}

/** 1-based numbers of the frames to align and sum. */
function usedFrames(movie: MovieReader, options: MotionOptions): number[] {
  const last = options.lastFrame > 0 ? Math.min(options.lastFrame, movie.frameCount) : movie.frameCount
  if (movie.frameCount < 2) {
    throw new MotionError(movie.path, 'too-few-frames', `the movie has ${movie.frameCount} frame; motion correction needs at least 2`)
  }
  if (options.firstFrame > last) {
    throw new MotionError(movie.path, 'too-few-frames', `firstFrame ${options.firstFrame} is past the last frame (${last} of ${movie.frameCount})`)
  }
  return Array.from({length: last - options.firstFrame + 1}, (_, i) => options.firstFrame + i)
}

function missing(file: string, what: string, field: string): MotionError {
  return new MotionError(file, 'missing-parameter', `dose weighting needs the ${what}: the movie header has none, so set the motion option ${field}`)
}

/**
 * Aligns the groups on the small spectra; per-frame shifts in input pixels (frame 0 = origin)
 * and the group spectra, now aligned, for the patch step.
 */
function alignGlobal(small: Float32Array[], groups: FrameGroup[], frames: number, fine: GridSize, width: number, height: number, options: MotionOptions) {
  const grouped = groupSpectra(small, groups)
  const coarse = coarseSize(width, height, options.bfactor)
  const sx = width / fine.width
  const sy = height / fine.height
  const result = alignSpectra(grouped, fine.width, fine.height, {
    maxIterations: options.maxIterations,
    tolerance: options.tolerance / Math.max(sx, sy),
    searchRange: options.searchRange / Math.max(sx, sy),
    coarseWidth: coarse.width,
    coarseHeight: coarse.height,
    smooth: options.smoothTrajectory,
  })
  const groupShifts = result.shifts.map(([x, y]) => [x * sx, y * sy] as [number, number])
  const shifts = groups.every((g) => g.size === 1) ? groupShifts : interpolateGroupShifts(groups, groupShifts, frames)
  return {shifts, aligned: grouped, result}
}

/** Sums of the frames' spectra per group (the groups themselves when every group is one frame). */
export function groupSpectra(spectra: Float32Array[], groups: FrameGroup[]): Float32Array[] {
  return groups.map((g) => {
    if (g.size === 1) return spectra[g.start]
    const sum = spectra[g.start].slice()
    for (let f = g.start + 1; f < g.start + g.size; f++) {
      const s = spectra[f]
      for (let i = 0; i < sum.length; i++) sum[i] += s[i]
    }
    return sum
  })
}

/** Output size after binning by Fourier cropping: even in both directions, as RELION requires. */
export function binnedSize(file: string, width: number, height: number, binning: number): {width: number; height: number} {
  if (binning === 1) return {width, height}
  const w = Math.round(width / binning / 2) * 2
  const h = Math.round(height / binning / 2) * 2
  if (w < 2 || h < 2) throw new MotionError(file, 'binned-size', `binning ${binning} leaves ${w}x${h} of ${width}x${height}`)
  return {width: w, height: h}
}

/** Hot pixels (above the threshold in the corrected unaligned sum) as coordinates, for the STAR. */
function listMarked(mask: Uint8Array, sum: Float32Array, threshold: number, width: number): {x: number; y: number}[] {
  const out: {x: number; y: number}[] = []
  for (let i = 0; i < sum.length; i++) if (mask[i] && sum[i] > threshold) out.push({x: i % width, y: Math.floor(i / width)})
  return out
}

function mean(values: Float32Array): number {
  let s = 0
  for (const v of values) s += v
  return s / values.length
}

function toLocalModel(p: PatchAlignment): LocalMotionModel {
  return {patchesX: p.patchesX, patchesY: p.patchesY, coeffX: p.coeffX, coeffY: p.coeffY, patches: p.patches}
}
