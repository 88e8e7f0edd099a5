// crYOLO adapter (cryolo_predict.py, GPU): picks from out/CBOX/<name>.cbox (crYOLO >= 1.8: a
// STAR file, data_cryolo loop with _CoordinateX/_CoordinateY = box lower-left corner, _Width,
// _Height, _Confidence; centre = corner + size / 2, as crYOLO's own readers compute it), else
// out/STAR/<name>.star (rlnCoordinateX/Y, box centres). Pixels of the micrograph, x = column.
import {access, mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../../core/formats/star.js'
import type {PickResult} from '../../../core/results/index.js'
import {formatCoordinateStar, parseCoordinateStar, type CoordinateRow} from '../pick/coords-star.js'
import type {PickOptions} from '../pick/options.js'
import {ExternalProgramError} from './errors.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {fileArg, prepareWorkFolder} from './work-folder.js'

export interface CryoloSettings extends ExternalSettings {
  /** crYOLO config.json and trained (or general) model weights (.h5). */
  config: string
  weights: string
  /** Confidence threshold (crYOLO -t, default 0.3). */
  threshold: number
}

export function cryoloArgs(s: CryoloSettings): string[] {
  const args = ['-c', fileArg(s.config), '-w', fileArg(s.weights), '-i', 'in/', '-o', 'out/', '-t', String(s.threshold)]
  if (s.gpuIds.length) args.push('-g', ...s.gpuIds.map(String))
  return [...args, ...s.extraArgs]
}

/** crYOLO's CBOX (>= 1.8): box centres and confidences; rows with a missing size are skipped. */
export function parseCbox(text: string, file: string): CoordinateRow[] {
  const block = findBlock(parseStar(text, file), 'cryolo')
  const loop = block && blockLoop(block)
  if (!loop) throw new ExternalProgramError('crYOLO', 'unparseable', `${file}: no data_cryolo loop`)
  return loopRecords(loop)
    .map((r) => ({x: Number(r.CoordinateX) + Number(r.Width) / 2, y: Number(r.CoordinateY) + Number(r.Height) / 2, figureOfMerit: Number(r.Confidence)}))
    .filter((r) => Number.isFinite(r.x) && Number.isFinite(r.y))
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

export async function pickParticlesWithCryolo(micrographPath: string, outDir: string, options: PickOptions, settings: CryoloSettings, signal?: AbortSignal): Promise<WithProvenance<PickResult>> {
  const program = await prepareProgram('cryolo', settings.executable)
  const work = await prepareWorkFolder(micrographPath, outDir)
  // crYOLO reads a folder of micrographs: this one alone, under the safe name.
  await mkdir(join(work.dir, 'in'))
  await rename(join(work.dir, work.input), join(work.dir, 'in', work.input))
  const run = await runProgram({program: 'crYOLO', executable: program.executable, args: cryoloArgs(settings), cwd: work.dir, timeoutSeconds: settings.timeoutSeconds, signal})
  const base = work.input.replace(/\.[^.]+$/, '')
  const cbox = join(work.dir, 'out', 'CBOX', `${base}.cbox`)
  const star = join(work.dir, 'out', 'STAR', `${base}.star`)
  let rows: CoordinateRow[]
  if (await exists(cbox)) rows = parseCbox(await readFile(cbox, 'utf8'), cbox)
  // crYOLO's STAR has no confidence: 0 for all, in crYOLO's order (the sort below is stable).
  else if (await exists(star)) rows = parseCoordinateStar(await readFile(star, 'utf8'), star).map((r) => ({...r, figureOfMerit: Number.isNaN(r.figureOfMerit) ? 0 : r.figureOfMerit}))
  else throw new ExternalProgramError('crYOLO', 'missing-output', `exited 0 but wrote neither ${cbox} nor ${star}`, run.argv, run.stderrTail)
  rows.sort((a, b) => b.figureOfMerit - a.figureOfMerit)
  if (options.maxPicks !== null) rows = rows.slice(0, options.maxPicks)
  const coordinatesFile = join(outDir, `${work.stem}_${options.pickName}.star`)
  await writeFile(coordinatesFile, formatCoordinateStar(rows))
  return {
    count: rows.length,
    coordinates: rows.map((r) => [r.x, r.y]),
    scores: rows.map((r) => r.figureOfMerit),
    coordinatesFile,
    provenance: provenanceOf('crYOLO', program.version, work.dir, run),
  }
}
