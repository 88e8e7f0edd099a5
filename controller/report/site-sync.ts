// Brings a new build folder the per-micrograph files (site-files.ts) at a cost that follows the
// changes, not the project: the folders holding them move over from the current build (a rename
// each), then only the files the exports noted since (site-changes.ts) are linked in (new inode,
// same name: a reader never sees half a file) or removed. A record (report/site-files.json) says
// which build holds the folders; without one that matches the current build, every file is linked.
import {copyFile, link, mkdir, readdir, rename, rm, stat, unlink} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {readJsonFile, writeAtomically} from './assets.js'
import {eachLimited} from './limited.js'
import {clearChanges, readChanges} from './site-changes.js'
import {MIRRORED, sitePath} from './site-files.js'

/** Links made at once (the file system's thread pool has 4 threads). */
const LINK_CONCURRENCY = 8
const RECORD = 'site-files.json'

interface SyncRecord {
  /** The build folder whose mirrored folders are up to date with the changes applied so far. */
  build: string
}

export interface SiteFilesSync {
  /** Files linked in (new or changed) and removed. */
  linked: number
  removed: number
  /** Whether the folders moved over from the current build (else every file was linked). */
  carried: boolean
  /** Puts the folders back into the build they came from (the new build will not be used). */
  undo(): Promise<void>
  /** Records that the new build holds them, once it is the current one, and clears the applied changes. */
  commit(): Promise<void>
}

/** Gives `folder` (a new build) the per-micrograph files of the export in `data`, taking the folders of `current`. */
export async function syncSiteFiles(root: string, data: string, current: string | undefined, folder: string): Promise<SiteFilesSync> {
  const changes = readChanges(data)
  const record = await readJsonFile<SyncRecord | null>(join(root, RECORD), null)
  const carried = current !== undefined && record?.build === basename(current) && (await holdsMirrors(current))
  const moved: string[] = []
  const undo = async () => {
    for (const site of moved.splice(0)) await rename(join(folder, site), join(current!, site))
  }
  let linked = 0
  let removed = 0
  try {
    for (const {site} of MIRRORED) {
      if (carried) {
        await rename(join(current!, site), join(folder, site))
        moved.push(site)
      } else await mkdir(join(folder, site), {recursive: true})
    }
    const due = carried ? [...changes.paths] : await allFiles(data)
    await eachLimited(due, LINK_CONCURRENCY, async (path) => {
      const to = sitePath(path)
      if (to === undefined) return
      if (await place(join(data, path), join(folder, to), carried)) linked++
      else if (carried && (await removeIfThere(join(folder, to)))) removed++
    })
  } catch (error) {
    await undo()
    throw error
  }
  return {
    linked,
    removed,
    carried,
    undo,
    commit: async () => {
      await writeAtomically(join(root, RECORD), JSON.stringify({build: basename(folder)} satisfies SyncRecord))
      clearChanges(data, changes.bytes)
    },
  }
}

/** Every file in the mirrored data folders (data-relative), for a build that carries nothing over. */
async function allFiles(data: string): Promise<string[]> {
  const lists = await Promise.all(MIRRORED.map(async (m) => (await readdir(join(data, m.data)).catch(() => [] as string[])).filter((name) => !name.endsWith('.tmp')).map((name) => `${m.data}/${name}`)))
  return lists.flat()
}

/** Removes a file; false when there was none (a kind of image that was never made). */
async function removeIfThere(path: string): Promise<boolean> {
  return unlink(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
}

async function holdsMirrors(build: string): Promise<boolean> {
  const found = await Promise.all(MIRRORED.map(({site}) => stat(join(build, site)).then((s) => s.isDirectory(), () => false)))
  return found.every(Boolean)
}

/** Links `from` at `to` (a copy across file systems), replacing a file there in one step; false when `from` is not there. */
async function place(from: string, to: string, replacing: boolean): Promise<boolean> {
  const target = replacing ? `${to}.${process.pid}.tmp` : to
  try {
    await link(from, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'EXDEV' || error.code === 'EPERM') await copyFile(from, target)
      else if (error.code === 'EEXIST') await rm(target).then(() => link(from, target))
      else throw error
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  if (replacing) await rename(target, to)
  return true
}
