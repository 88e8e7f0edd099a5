// Per-micrograph files of the report (preview, PSD, picks, drift and CTF charts), made once per micrograph: a
// manifest remembers the stamp each was made from, so a rebuild only touches new results. Agent
// files are read only through AgentFiles (inside the project's agent output folders); what is
// written is named by the micrograph's id, never by a path from an event.
import {mkdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {decodeMrcHeader, MRC_HEADER_BYTES} from '../../core/formats/mrc-header.js'
import {parseCoordinateStar} from '../../agent/steps/pick/coords-star.js'
import type {AgentFiles} from './agent-files.js'
import type {MicrographRow, PicksFile, ReportData} from './export-types.js'
import {keepJson, readCachedJson} from './json-cache.js'
import {eachLimited} from './limited.js'
import {noteChanges} from './site-changes.js'
import {ctfCurve, trajectory} from './micrograph-charts.js'
import type {ImageSources} from './read-project.js'

/** Site-relative folder of the per-micrograph files. */
export const IMAGES = 'images'
const CONCURRENCY = 16

/** The export's manifest of the images (in the data folder). */
export const ASSET_MANIFEST = 'manifest.json'
const EXTENSIONS = {preview: 'png', psd: 'png', picks: 'json', drift: 'svg', ctf: 'svg'} as const
export type AssetKind = keyof typeof EXTENSIONS
export const ASSET_KINDS = Object.keys(EXTENSIONS) as AssetKind[]
type Made = Record<AssetKind, boolean>
/** Per micrograph id: the stamp its files were made from, and which were made. */
export interface AssetManifest {
  [id: string]: {stamp: string} & Made
}

/** The file name of one of a micrograph's images (in the images folder). */
export const assetFile = (id: number | string, kind: AssetKind): string => `${id}-${kind}.${EXTENSIONS[kind]}`

export interface AssetProblem {
  id: number
  file: string
  problem: string
}

/** Brings `dir`/images up to date with the sources, reading agent files through `files`; fills in each row's `images`. */
export async function syncAssets(
  dir: string,
  rows: MicrographRow[],
  sources: ImageSources[],
  optics: ReportData['optics'],
  files: AgentFiles,
): Promise<{made: number; problems: AssetProblem[]}> {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const folder = join(dir, IMAGES)
  await mkdir(folder, {recursive: true})
  const manifestPath = join(dir, ASSET_MANIFEST)
  const manifest = readCachedJson<AssetManifest>(manifestPath, {})
  const problems: AssetProblem[] = []
  const due = sources.filter((s) => manifest[String(s.id)]?.stamp !== s.stamp)
  const gone = Object.keys(manifest).filter((id) => !byId.has(Number(id)))
  // Every file of a micrograph made again or gone may change (one that is no longer made goes).
  noteChanges(dir, [...due.map((s) => String(s.id)), ...gone].flatMap((id) => ASSET_KINDS.map((kind) => `${IMAGES}/${assetFile(id, kind)}`)))
  for (const id of gone) {
    delete manifest[id]
    await Promise.all(ASSET_KINDS.map((kind) => rm(join(folder, assetFile(id, kind)), {force: true})))
  }
  // A few files at a time: the first export of a long session has thousands to make.
  await eachLimited(due, CONCURRENCY, async (source) => {
    manifest[String(source.id)] = {stamp: source.stamp, ...(await makeAssets(folder, source, byId.get(source.id)!, optics, files, problems))}
  })
  const made = due.length
  for (const row of rows) {
    const m = manifest[String(row.id)]
    if (imagedFrom.has(row) && imagedFrom.get(row) === m) continue
    imagedFrom.set(row, m)
    const images = Object.fromEntries(ASSET_KINDS.map((kind) => [kind, m?.[kind] ? `${IMAGES}/${assetFile(row.id, kind)}` : null])) as MicrographRow['images']
    // The same object while nothing changed: later stages memoise on it.
    if (ASSET_KINDS.some((kind) => row.images[kind] !== images[kind])) row.images = images
  }
  if (made > 0 || gone.length > 0) {
    await writeAtomically(manifestPath, JSON.stringify(manifest))
    keepJson(manifestPath, manifest)
  }
  return {made, problems}
}

/** The manifest entry each row's images were last set from (entries are replaced when remade, kept parsed between exports). */
const imagedFrom = new WeakMap<MicrographRow, AssetManifest[string] | undefined>()

async function makeAssets(folder: string, s: ImageSources, row: MicrographRow, optics: ReportData['optics'], files: AgentFiles, problems: AssetProblem[]): Promise<Made> {
  const attempt = async (file: string | null, make: (file: string) => Promise<void>): Promise<boolean> => {
    if (!file) return false
    try {
      await make(file)
      return true
    } catch (error) {
      problems.push({id: s.id, file, problem: (error as Error).message})
      return false
    }
  }
  return {
    preview: await attempt(s.preview, async (f) => writeAtomically(join(folder, assetFile(s.id, 'preview')), await files.read(f))),
    psd: await attempt(s.psd, async (f) => writeAtomically(join(folder, assetFile(s.id, 'psd')), await files.read(f))),
    picks: await attempt(s.coordinates, (f) => writePicks(files, f, s.micrograph, join(folder, assetFile(s.id, 'picks')))),
    drift: await attempt(row.motion && 'drift', () => writeAtomically(join(folder, assetFile(s.id, 'drift')), trajectory(row.motion!.shifts))),
    ctf: await attempt(row.ctf && row.motion && 'ctf', () => writeAtomically(join(folder, assetFile(s.id, 'ctf')), ctfCurve(row.ctf!, row.motion!.pixelSize, optics))),
  }
}

async function writePicks(files: AgentFiles, coordinates: string, micrograph: string | null, out: string): Promise<void> {
  if (!micrograph) throw new Error('no micrograph to place the picks on')
  const rows = parseCoordinateStar((await files.read(coordinates)).toString('utf8'), coordinates)
  const header = decodeMrcHeader(await files.head(micrograph, MRC_HEADER_BYTES), micrograph)
  const file: PicksFile = {width: header.nx, height: header.ny, coordinates: rows.map((r) => [Math.round(r.x), Math.round(r.y)]), diameters: null}
  await writeAtomically(out, JSON.stringify(file))
}

/** A JSON file written by writeAtomically, or `fallback` when there is none yet. */
export async function readJsonFile<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw error
  }
}

/**
 * Writes whole or not at all. Built sites hard-link these files: a changed one gets a new inode,
 * older builds keep theirs. A temp file that could not be written is removed (on a full disk it holds the space).
 */
export async function writeAtomically(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, content)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
  await rename(temporary, path)
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}
