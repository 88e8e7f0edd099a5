// relion_autopick --LoG adapter: one micrograph per run, listed in a RELION 3.1 micrographs
// STAR in its working folder; the coordinates come back in RELION's own
// <micrograph>_<pickname>.star, read with the same parser as ours (pick/coords-star.ts).
import {readFile, writeFile, copyFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {PickResult} from '../../../core/results/index.js'
import {formatCoordinateStar, parseCoordinateStar, type CoordinateRow} from '../pick/coords-star.js'
import type {PickOptions} from '../pick/options.js'
import {ExternalProgramError} from './errors.js'
import {prepareProgram} from './prepare.js'
import {micrographsStar} from './relion-input-star.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {prepareWorkFolder, requireOutput} from './work-folder.js'

export interface RelionLogSettings extends ExternalSettings {
  /** Low-pass filter before picking (A), RELION GUI's --lowpass. */
  lowpass: number
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
}

const PICKNAME = 'autopick'

export function relionLogArgs(o: PickOptions, pixelSize: number, s: RelionLogSettings): string[] {
  const args = ['--i', 'micrographs.star', '--odir', 'out/', '--pickname', PICKNAME, '--LoG']
  args.push('--LoG_diam_min', String(o.diameterMin), '--LoG_diam_max', String(o.diameterMax), '--LoG_adjust_threshold', String(o.thresholdAdjust))
  if (o.upperThreshold !== null) args.push('--LoG_upper_threshold', String(o.upperThreshold))
  if (o.invert) args.push('--Log_invert')
  args.push('--angpix', String(pixelSize), '--shrink', '0', '--lowpass', String(s.lowpass))
  return [...args, ...s.extraArgs]
}

/** Best first, at most maxPicks. */
function keepBest(rows: CoordinateRow[], maxPicks: number | null): CoordinateRow[] {
  const sorted = [...rows].sort((a, b) => b.figureOfMerit - a.figureOfMerit)
  return maxPicks === null ? sorted : sorted.slice(0, maxPicks)
}

export async function pickParticlesWithRelionLog(
  micrographPath: string,
  outDir: string,
  options: PickOptions,
  settings: RelionLogSettings,
  signal?: AbortSignal,
): Promise<WithProvenance<PickResult>> {
  const pixelSize = options.pixelSize
  if (!(pixelSize && pixelSize > 0)) throw new ExternalProgramError('relion_autopick', 'bad-option', 'pixelSize must be set (A/px)')
  const program = await prepareProgram('relion-log', settings.executable)
  const work = await prepareWorkFolder(micrographPath, outDir)
  await writeFile(join(work.dir, 'micrographs.star'), micrographsStar(work.input, pixelSize, settings))
  const run = await runProgram({
    program: 'relion_autopick',
    executable: program.executable,
    args: relionLogArgs(options, pixelSize, settings),
    cwd: work.dir,
    timeoutSeconds: settings.timeoutSeconds,
    signal,
  })
  const base = work.input.replace(/\.[^.]+$/, '')
  const starPath = await requireOutput('relion_autopick', join(work.dir, 'out', `${base}_${PICKNAME}.star`), run.argv, run.stderrTail)
  const all = parseCoordinateStar(await readFile(starPath, 'utf8'), starPath)
  const rows = keepBest(all, options.maxPicks)
  // Under the name our picker uses: RELION's file as it wrote it, or the kept picks in its columns.
  const coordinatesFile = join(outDir, `${work.stem}_${options.pickName}.star`)
  if (rows.length === all.length) await copyFile(starPath, coordinatesFile)
  else await writeFile(coordinatesFile, formatCoordinateStar(rows))
  return {
    count: rows.length,
    coordinates: rows.map((r) => [r.x, r.y]),
    scores: rows.map((r) => r.figureOfMerit),
    coordinatesFile,
    provenance: provenanceOf('relion_autopick', program.version, work.dir, run),
  }
}
