// relion_run_motioncorr adapter: RELION's own CPU implementation (--use_own) or RELION driving
// MotionCor2 (--use_motioncor2 on the granted GPUs). One movie per run, in its working folder;
// shifts and the local model come from RELION's per-movie STAR, accumulated motion from its
// corrected_micrographs.star, so the numbers are exactly RELION's.
import {readFile, rename} from 'node:fs/promises'
import {join} from 'node:path'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../../core/formats/star.js'
import type {MotionResult} from '../../../core/results/index.js'
import type {MotionOptions} from '../motion/options.js'
import {ExternalProgramError} from './errors.js'
import {readMotionStar} from './motion-star-read.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {fileArg, prepareWorkFolder, requireOutput} from './work-folder.js'

export interface RelionMotionSettings extends ExternalSettings {
  /** RELION drives MotionCor2 on gpuIds; false = RELION's own implementation on CPU. */
  driveMotionCor2?: boolean
  /** MotionCor2's path or name; empty = located like the motioncor2 program (env, PATH). */
  motioncor2Executable?: string
}

const OUT = 'out/'

export function relionMotionArgs(input: string, o: MotionOptions, s: RelionMotionSettings, motioncor2?: string): string[] {
  const args = ['--i', input, '--o', OUT, '--j', String(Math.max(1, o.threads))]
  args.push('--angpix', String(o.pixelSize), '--voltage', String(o.voltage), '--dose_per_frame', String(o.dosePerFrame), '--preexposure', String(o.preExposure))
  args.push('--first_frame_sum', String(o.firstFrame), '--last_frame_sum', String(o.lastFrame), '--bin_factor', String(o.binning))
  args.push('--bfactor', String(o.bfactor), '--patch_x', String(o.patchesX), '--patch_y', String(o.patchesY), '--group_frames', String(o.groupFrames))
  args.push('--eer_grouping', String(o.eerGrouping), '--eer_upsampling', String(o.eerUpsampling))
  if (o.gainReference) args.push('--gainref', fileArg(o.gainReference), '--gain_rot', String(o.gainRotation), '--gain_flip', String(o.gainFlip))
  if (o.defectFile) args.push('--defect_file', fileArg(o.defectFile))
  if (o.doseWeighting) args.push('--dose_weighting')
  if (o.doseWeighting && o.saveNoDoseWeighting) args.push('--save_noDW')
  if (motioncor2) {
    // RELION's --gpu: device ids separated by ':' for the threads of one process.
    args.push('--use_motioncor2', '--motioncor2_exe', fileArg(motioncor2), '--gpu', s.gpuIds.length ? s.gpuIds.join(':') : '0')
  } else {
    args.push('--use_own', '--max_iter', String(o.maxIterations))
  }
  return [...args, ...s.extraArgs]
}

/** rlnAccumMotionTotal / Early / Late of the one movie in corrected_micrographs.star. */
function accumulatedMotion(text: string, file: string): {total: number; early: number; late: number} {
  const block = findBlock(parseStar(text, file), 'micrographs')
  const row = block && blockLoop(block) && loopRecords(blockLoop(block)!)[0]
  if (!row) throw new ExternalProgramError('relion_run_motioncorr', 'unparseable', `${file}: no data_micrographs row`)
  return {total: Number(row.rlnAccumMotionTotal), early: Number(row.rlnAccumMotionEarly), late: Number(row.rlnAccumMotionLate)}
}

export async function correctMotionWithRelion(
  moviePath: string,
  outDir: string,
  options: MotionOptions,
  settings: RelionMotionSettings,
  signal?: AbortSignal,
): Promise<WithProvenance<MotionResult>> {
  if (!(options.pixelSize > 0)) throw new ExternalProgramError('relion_run_motioncorr', 'bad-option', 'pixelSize must be set (A/px)')
  const program = await prepareProgram('relion-motioncorr', settings.executable)
  const motioncor2 = settings.driveMotionCor2 ? (await prepareProgram('motioncor2', settings.motioncor2Executable)).executable : undefined
  const work = await prepareWorkFolder(moviePath, outDir)
  const run = await runProgram({
    program: 'relion_run_motioncorr',
    executable: program.executable,
    args: relionMotionArgs(work.input, options, settings, motioncor2),
    cwd: work.dir,
    timeoutSeconds: settings.timeoutSeconds,
    signal,
  })
  const need = (name: string) => requireOutput('relion_run_motioncorr', join(work.dir, OUT, name), run.argv, `${run.stderrTail}\n${run.stdoutTail}`.trim())
  const base = work.input.replace(/\.[^.]+$/, '')
  const starPath = await need(`${base}.star`)
  const content = readMotionStar(await readFile(starPath, 'utf8'), starPath, 'relion_run_motioncorr')
  const listPath = await need('corrected_micrographs.star')
  const accumulated = accumulatedMotion(await readFile(listPath, 'utf8'), listPath)

  // Our names next to the built-in step's: <outDir>/<movie>.mrc, _noDW.mrc, .star.
  const root = join(outDir, work.stem)
  await rename(await need(`${base}.mrc`), `${root}.mrc`)
  const noDW = options.doseWeighting && options.saveNoDoseWeighting ? `${root}_noDW.mrc` : undefined
  if (noDW) await rename(await need(`${base}_noDW.mrc`), noDW)
  await rename(starPath, `${root}.star`)

  return {
    micrograph: `${root}.mrc`,
    ...(noDW ? {micrographNoDW: noDW} : {}),
    pixelSize: options.pixelSize * options.binning,
    shifts: content.shifts,
    totalMotion: accumulated.total,
    earlyMotion: accumulated.early,
    lateMotion: accumulated.late,
    ...(content.local ? {localModel: {patchesX: options.patchesX, patchesY: options.patchesY, ...content.local}} : {}),
    starFile: `${root}.star`,
    frames: content.shifts.length,
    dosePerFrame: options.dosePerFrame,
    provenance: provenanceOf('relion_run_motioncorr', program.version, work.dir, run),
  }
}
