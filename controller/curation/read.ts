// The finished movies of a project with their newest results, for curation and exports.
import type {Database, SqlValue} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {curateExposure, summarise, type CurationDecision, type CurationSummary, type Exposure} from './curate.js'
import {currentThresholds, type CurationThresholds} from './thresholds.js'

/** One finished movie: its results at the newest version that has them (paths as the agent wrote them). */
export interface ExposureRecord extends Exposure {
  micrograph: string | null
  pixelSize: number | null
  lateMotion: number | null
  /** Motion correction's per-movie STAR (shifts), when it wrote one. */
  motionStar: string | null
  psdImage: string | null
  defocusAngle: number | null
  phaseShift: number | null
  figureOfMerit: number | null
  coordinatesFile: string | null
}

/** A join keeping only each movie's newest version of a result table (one grouped scan, not a subquery per row). */
const newest = (alias: string, table: string) =>
  `LEFT JOIN (SELECT movie_id, max(version) AS version FROM ${table} GROUP BY movie_id) ${alias}v ON ${alias}v.movie_id = m.id
   LEFT JOIN ${table} ${alias} ON ${alias}.movie_id = m.id AND ${alias}.version = ${alias}v.version`

export function readExposures(db: Database): ExposureRecord[] {
  const sql = `
    SELECT m.movie, m.state, m.failed_step, m.error,
      g.path AS micrograph, g.pixel_size, g.total_motion, g.early_motion, g.late_motion, g.star_file,
      c.defocus_u, c.defocus_v, c.defocus_angle, c.astigmatism, c.phase_shift, c.resolution, c.figure_of_merit, c.psd_image,
      p.count, p.coordinates_file
    FROM movies m
    ${newest('g', 'micrographs')}
    ${newest('c', 'ctf')}
    ${newest('p', 'particles')}
    WHERE m.state IN ('done', 'failed') ORDER BY m.id`
  // exec() returns plain arrays: several times cheaper per row than statement objects, which counts at 100k movies.
  const [result] = db.exec(sql)
  if (!result) return []
  return result.values.map((values) => exposure(Object.fromEntries(result.columns.map((c, k) => [c, values[k]]))))
}

const n = (v: SqlValue) => (v === null ? null : Number(v))
const s = (v: SqlValue) => (v === null ? null : String(v))

function exposure(r: Record<string, SqlValue>): ExposureRecord {
  return {
    movie: String(r.movie),
    state: r.state as 'done' | 'failed',
    failedStep: s(r.failed_step),
    error: s(r.error),
    micrograph: s(r.micrograph),
    pixelSize: n(r.pixel_size),
    lateMotion: n(r.late_motion),
    motionStar: s(r.star_file),
    psdImage: s(r.psd_image),
    defocusAngle: n(r.defocus_angle),
    phaseShift: n(r.phase_shift),
    figureOfMerit: n(r.figure_of_merit),
    coordinatesFile: s(r.coordinates_file),
    ...(r.total_motion === null ? {} : {motion: {totalMotion: Number(r.total_motion), earlyMotion: Number(r.early_motion)}}),
    ...(r.defocus_u === null
      ? {}
      : {ctf: {defocusU: Number(r.defocus_u), defocusV: Number(r.defocus_v), astigmatism: Number(r.astigmatism), resolution: Number(r.resolution)}}),
    ...(r.count === null ? {} : {particles: {count: Number(r.count)}}),
  }
}

export interface Curation {
  thresholds: CurationThresholds
  exposures: ExposureRecord[]
  decisions: CurationDecision[]
  summary: CurationSummary
}

/** Every finished movie curated with the thresholds in force. */
export function curateProject(db: Database, workflow: Workflow): Curation {
  const thresholds = currentThresholds(db, workflow)
  const exposures = readExposures(db)
  const decisions = exposures.map((e) => curateExposure(e, thresholds))
  return {thresholds, exposures, decisions, summary: summarise(thresholds, decisions)}
}
