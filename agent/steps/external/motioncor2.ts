// MotionCor2 / MotionCor3 adapter (same command line): MRC, TIFF or EER in; gain with
// -RotGain/-FlipGain (the same numbers as RELION's --gain_rot/--gain_flip, which RELION passes
// through unchanged); patches, dose, binning, frame range, GPU ids. Shifts from stdout (what
// RELION reads), else from the -Patch-Full.log; accumulated motion and the per-movie STAR are
// computed as the built-in step does, so the result reads the same downstream. MotionCor2's
// patch model is its own (not RELION's polynomial), so no localModel is reported.
import {readdir, readFile, rename, writeFile} from 'node:fs/promises'
import {extname, join} from 'node:path'
import {openMovie} from '../../../core/formats/movie.js'
import type {MotionResult} from '../../../core/results/index.js'
import {accumulatedMotion} from '../motion/accumulated-motion.js'
import {formatMotionStar} from '../motion/motion-star.js'
import type {MotionOptions} from '../motion/options.js'
import {ExternalProgramError} from './errors.js'
import {parseMotionCorStdout, parsePatchFullLog} from './motioncor2-log.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram, type ProgramOutput} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {fileArg, prepareWorkFolder, requireOutput} from './work-folder.js'

export type MotionCorVariant = 'motioncor2' | 'motioncor3'

const OUTPUT = 'aligned.mrc'
const FMINT = 'fmint.txt'

/** Frames in the movie (EER: hardware frames) and its size, for -Trunc, -FmIntFile and the STAR. */
export interface MovieShape {
  width: number
  height: number
  frames: number
}

export function inputFlag(path: string): '-InMrc' | '-InTiff' | '-InEer' {
  const ext = extname(path).toLowerCase()
  if (ext === '.eer') return '-InEer'
  if (ext === '.tif' || ext === '.tiff') return '-InTiff'
  if (ext === '.mrc' || ext === '.mrcs') return '-InMrc'
  throw new ExternalProgramError('MotionCor2', 'bad-option', `cannot tell the movie format of ${path} (expected .mrc, .mrcs, .tif, .tiff or .eer)`)
}

export function motionCorArgs(input: string, o: MotionOptions, s: ExternalSettings, shape: MovieShape): string[] {
  const eer = inputFlag(input) === '-InEer'
  const args = [inputFlag(input), input, '-OutMrc', OUTPUT, '-LogFile', 'aligned', '-Serial', '0', '-OutStack', '0']
  args.push('-PixSize', String(o.pixelSize), '-kV', String(o.voltage), '-Iter', String(o.maxIterations), '-Tol', String(o.tolerance), '-Bft', String(o.bfactor))
  if (o.patchesX >= 2 && o.patchesY >= 2) args.push('-Patch', String(o.patchesX), String(o.patchesY))
  if (o.binning !== 1) args.push('-FtBin', String(o.binning))
  if (o.groupFrames > 1) args.push('-Group', String(o.groupFrames))
  const renderedFrames = eer ? Math.floor(shape.frames / o.eerGrouping) : shape.frames
  if (o.firstFrame > 1) args.push('-Throw', String(o.firstFrame - 1))
  if (o.lastFrame > 0) args.push('-Trunc', String(Math.max(0, renderedFrames - o.lastFrame)))
  if (eer) args.push('-EerSampling', String(o.eerUpsampling), '-FmIntFile', FMINT)
  else if (o.doseWeighting) args.push('-FmDose', String(o.dosePerFrame))
  if (o.preExposure > 0) args.push('-InitDose', String(o.preExposure))
  if (o.gainReference) args.push('-Gain', fileArg(o.gainReference), '-RotGain', String(o.gainRotation), '-FlipGain', String(o.gainFlip))
  if (o.defectFile) args.push('-DefectFile', fileArg(o.defectFile))
  args.push('-Gpu', ...(s.gpuIds.length ? s.gpuIds : [0]).map(String))
  return [...args, ...s.extraArgs]
}

/** MotionCor2's -FmIntFile: "<hardware frames> <frames per fraction> <dose per hardware frame>". */
export function eerFractionFile(o: MotionOptions, hardwareFrames: number): string {
  return `${hardwareFrames} ${o.eerGrouping} ${o.dosePerFrame / o.eerGrouping}\n`
}

async function movieShape(path: string, o: MotionOptions): Promise<MovieShape> {
  const movie = await openMovie(path, inputFlag(path) === '-InEer' ? {eerGrouping: 1, eerUpsampling: 1} : undefined)
  try {
    return {width: movie.width * (inputFlag(path) === '-InEer' ? o.eerUpsampling : 1), height: movie.height * (inputFlag(path) === '-InEer' ? o.eerUpsampling : 1), frames: movie.frameCount}
  } finally {
    await movie.close()
  }
}

async function findLog(dir: string, suffix: string): Promise<string | undefined> {
  // MotionCor2 names it <LogFile>0<suffix> in some versions and <LogFile><suffix> in others.
  const name = (await readdir(dir)).find((f) => f.endsWith(suffix))
  return name && join(dir, name)
}

async function globalShifts(run: ProgramOutput, dir: string, program: string): Promise<[number, number][]> {
  const fromStdout = parseMotionCorStdout(run.stdout)
  if (fromStdout) return fromStdout
  const log = await findLog(dir, '-Patch-Full.log')
  if (log) return parsePatchFullLog(await readFile(log, 'utf8'), log)
  throw new ExternalProgramError(program, 'unparseable', 'no "Full-frame alignment shift" table on stdout and no -Patch-Full.log', run.argv, run.stderrTail)
}

export async function correctMotionWithMotionCor(
  moviePath: string,
  outDir: string,
  options: MotionOptions,
  settings: ExternalSettings,
  variant: MotionCorVariant = 'motioncor2',
  signal?: AbortSignal,
): Promise<WithProvenance<MotionResult>> {
  const name = variant === 'motioncor3' ? 'MotionCor3' : 'MotionCor2'
  if (!(options.pixelSize > 0 && options.dosePerFrame > 0)) throw new ExternalProgramError(name, 'bad-option', 'pixelSize and dosePerFrame must be set')
  const program = await prepareProgram(variant, settings.executable)
  const shape = await movieShape(moviePath, options)
  const work = await prepareWorkFolder(moviePath, outDir)
  if (inputFlag(moviePath) === '-InEer') await writeFile(join(work.dir, FMINT), eerFractionFile(options, shape.frames))
  const run = await runProgram({program: name, executable: program.executable, args: motionCorArgs(work.input, options, settings, shape), cwd: work.dir, timeoutSeconds: settings.timeoutSeconds, signal})
  const shifts = await globalShifts(run, work.dir, name)

  const need = (file: string) => requireOutput(name, join(work.dir, file), run.argv, run.stderrTail)
  const root = join(outDir, work.stem)
  const weighted = options.doseWeighting ? await need('aligned_DW.mrc') : undefined
  const plain = await need(OUTPUT)
  await rename(weighted ?? plain, `${root}.mrc`)
  const noDW = weighted && options.saveNoDoseWeighting ? `${root}_noDW.mrc` : undefined
  if (noDW) await rename(plain, noDW)

  const frameNumbers = shifts.map((_, i) => options.firstFrame + i)
  const accumulated = accumulatedMotion(shifts, frameNumbers, options.dosePerFrame, options.preExposure)
  await writeFile(
    `${root}.star`,
    formatMotionStar({
      width: shape.width,
      height: shape.height,
      frameCount: inputFlag(moviePath) === '-InEer' ? Math.floor(shape.frames / options.eerGrouping) : shape.frames,
      movieName: moviePath,
      binning: options.binning,
      pixelSize: options.pixelSize,
      dosePerFrame: options.dosePerFrame,
      preExposure: options.preExposure,
      voltage: options.voltage,
      startFrame: options.firstFrame,
      frameNumbers,
      shifts,
      ...(options.gainReference ? {gainReference: options.gainReference} : {}),
      ...(options.defectFile ? {defectFile: options.defectFile} : {}),
    }),
  )
  return {
    micrograph: `${root}.mrc`,
    ...(noDW ? {micrographNoDW: noDW} : {}),
    pixelSize: options.pixelSize * options.binning,
    shifts,
    totalMotion: accumulated.total,
    earlyMotion: accumulated.early,
    lateMotion: accumulated.late,
    starFile: `${root}.star`,
    frames: shifts.length,
    dosePerFrame: options.dosePerFrame,
    provenance: provenanceOf(name, program.version, work.dir, run),
  }
}
