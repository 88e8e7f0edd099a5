// `controller export --format relion`: the finished micrographs (optionally only the accepted
// ones) as a RELION 3.1 project folder: corrected_micrographs.star and micrographs_ctf.star at the
// top, micrographs and spectra linked (relative symlinks) and coordinates copied under job
// folders, and the coords_suffix file RELION's GUI and cryoSPARC's import look for.
import {existsSync} from 'node:fs'
import {copyFile, mkdir, rm, symlink, writeFile} from 'node:fs/promises'
import {dirname, join, relative, resolve} from 'node:path'
import type {Database} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {curateProject, type ExposureRecord} from '../curation/read.js'
import {COORD_SUFFIX, CORRECTED_STAR, CTF_STAR, coordsSuffixFile, exposurePaths, PICK_JOB} from './layout.js'
import {correctedMicrographsStar, micrographsCtfStar, type ExportedMicrograph} from './relion-star.js'

export interface RelionExportOptions {
  outDir: string
  /** Only the micrographs the curation accepts. */
  acceptedOnly?: boolean
}

export interface RelionExport {
  outDir: string
  micrographs: number
  /** Micrographs with a coordinate file. */
  withCoordinates: number
  /** Finished movies left out, and why. */
  skipped: {movie: string; reason: string}[]
  /** Source files the links point to that this host cannot see (the agent's disk is not mounted here?). */
  missing: string[]
  /** The relion_preprocess arguments that extract particles from this export, run in outDir. */
  extractArgs: string[]
}

const PLACE_BATCH = 64

type Exportable = ExposureRecord & {micrograph: string; pixelSize: number; ctf: NonNullable<ExposureRecord['ctf']>}

export async function exportRelion(db: Database, workflow: Workflow, options: RelionExportOptions): Promise<RelionExport> {
  const outDir = resolve(options.outDir)
  const curation = curateProject(db, workflow)
  const skipped: RelionExport['skipped'] = []
  const chosen: Exportable[] = []
  curation.exposures.forEach((e, i) => {
    const decision = curation.decisions[i]
    if (e.state !== 'done' || e.micrograph === null || e.pixelSize === null || !e.ctf) {
      skipped.push({movie: e.movie, reason: e.state === 'failed' ? `failed in ${e.failedStep}` : 'no micrograph with a CTF estimate'})
    } else if (options.acceptedOnly && !decision.accepted) {
      skipped.push({movie: e.movie, reason: `rejected: ${decision.reasons.map((r) => r.message).join('; ')}`})
    } else {
      chosen.push(e as Exportable)
    }
  })

  const missing: string[] = []
  const place: Place = async (source, target, how) => {
    const at = join(outDir, target)
    await mkdir(dirname(at), {recursive: true})
    await rm(at, {force: true})
    if (!existsSync(source)) missing.push(source)
    if (how === 'copy' && existsSync(source)) await copyFile(source, at)
    else await symlink(relative(dirname(at), resolve(source)), at)
  }
  // Files are placed a batch of micrographs at a time: file system calls overlap, memory stays bounded.
  for (let start = 0; start < chosen.length; start += PLACE_BATCH) {
    await Promise.all(chosen.slice(start, start + PLACE_BATCH).map((e) => placeFiles(e, place)))
  }
  const rows = chosen.map(exportedRow)
  const withCoordinates = chosen.filter((e) => e.coordinatesFile).length

  await mkdir(join(outDir, PICK_JOB), {recursive: true})
  await writeFile(join(outDir, CORRECTED_STAR), correctedMicrographsStar(rows, workflow.acquisition))
  await writeFile(join(outDir, CTF_STAR), micrographsCtfStar(rows, workflow.acquisition))
  await writeFile(join(outDir, coordsSuffixFile()), `${CTF_STAR}\n`)
  return {
    outDir,
    micrographs: rows.length,
    withCoordinates,
    skipped,
    missing,
    extractArgs: ['--i', CTF_STAR, '--coord_dir', `${PICK_JOB}/`, '--coord_suffix', COORD_SUFFIX, '--extract'],
  }
}

type Place = (source: string, target: string, how: 'link' | 'copy') => Promise<void>

/** Links the micrograph, motion STAR and spectrum, copies the coordinates. */
async function placeFiles(e: Exportable, place: Place): Promise<void> {
  const paths = exposurePaths(e.movie)
  await place(e.micrograph, paths.micrograph, 'link')
  if (e.motionStar) await place(e.motionStar, paths.motionStar, 'link')
  if (e.psdImage) await place(e.psdImage, paths.psd, 'link')
  if (e.coordinatesFile) await place(e.coordinatesFile, paths.coordinates, 'copy')
}

function exportedRow(e: Exportable): ExportedMicrograph {
  const paths = exposurePaths(e.movie)
  return {
    micrograph: paths.micrograph,
    ...(e.motionStar ? {motionStar: paths.motionStar} : {}),
    ...(e.psdImage ? {psd: paths.psd} : {}),
    pixelSize: e.pixelSize,
    totalMotion: e.motion?.totalMotion ?? 0,
    earlyMotion: e.motion?.earlyMotion ?? 0,
    lateMotion: e.lateMotion ?? 0,
    defocusU: e.ctf.defocusU,
    defocusV: e.ctf.defocusV,
    defocusAngle: e.defocusAngle ?? 0,
    phaseShift: e.phaseShift ?? 0,
    resolution: e.ctf.resolution,
    figureOfMerit: e.figureOfMerit ?? 0,
  }
}
