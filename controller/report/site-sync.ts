// Brings a new build folder the per-micrograph files (site-files.ts) at a cost that does not grow
// with the project: the folders holding them move over from the current build (a rename each),
// then only the files whose key changed since that build are linked in (new inode, same name:
// a reader never sees half a file) and removed ones unlinked. A record of what the current
// build holds (report/site-files.json) says which; without one that matches, every file is linked.
import {copyFile, link, mkdir, rename, rm, stat} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {readJsonFile, writeAtomically} from './assets.js'
import {eachLimited} from './limited.js'
import {listSiteFiles, MIRRORED} from './site-files.js'

/** Links made at once (the file system's thread pool has 4 threads). */
const LINK_CONCURRENCY = 8
const RECORD = 'site-files.json'

interface SyncRecord {
  /** The build folder's name. */
  build: string
  /** Site-relative path -> key of every file it holds. */
  files: Record<string, string>
}

export interface SiteFilesSync {
  /** Files linked in (new or changed) and removed. */
  linked: number
  removed: number
  /** Whether the folders moved over from the current build (else every file was linked). */
  carried: boolean
  /** Puts the folders back into the build they came from (the new build will not be used). */
  undo(): Promise<void>
  /** Records what the new build holds, once it is the current one. */
  commit(): Promise<void>
}

/** Gives `folder` (a new build) the per-micrograph files of the export in `data`, taking the folders of `current`. */
export async function syncSiteFiles(root: string, data: string, current: string | undefined, folder: string): Promise<SiteFilesSync> {
  const files = await listSiteFiles(data)
  const record = await readJsonFile<SyncRecord | null>(join(root, RECORD), null)
  const carried = current !== undefined && record?.build === basename(current) && (await holdsMirrors(current))
  const previous = carried ? record!.files : {}
  const moved: string[] = []
  const undo = async () => {
    for (const site of moved.splice(0)) await rename(join(folder, site), join(current!, site))
  }
  const missing = new Set<string>()
  const due = [...files].filter(([path, file]) => previous[path] !== file.key)
  const gone = Object.keys(previous).filter((path) => !files.has(path))
  try {
    for (const {site} of MIRRORED) {
      if (carried) {
        await rename(join(current!, site), join(folder, site))
        moved.push(site)
      } else await mkdir(join(folder, site), {recursive: true})
    }
    await eachLimited(due, LINK_CONCURRENCY, async ([path, file]) => {
      if (!(await place(join(data, file.source), join(folder, path), path in previous))) missing.add(path)
    })
    await eachLimited(gone, LINK_CONCURRENCY, (path) => rm(join(folder, path), {force: true}))
  } catch (error) {
    await undo()
    throw error
  }
  const held = Object.fromEntries([...files].filter(([path]) => !missing.has(path)).map(([path, file]) => [path, file.key]))
  return {
    linked: due.length - missing.size,
    removed: gone.length,
    carried,
    undo,
    commit: () => writeAtomically(join(root, RECORD), JSON.stringify({build: basename(folder), files: held} satisfies SyncRecord)),
  }
}

async function holdsMirrors(build: string): Promise<boolean> {
  const found = await Promise.all(MIRRORED.map(({site}) => stat(join(build, site)).then((s) => s.isDirectory(), () => false)))
  return found.every(Boolean)
}

/** Links `from` at `to` (a copy across file systems), replacing a file there in one step; false when `from` is gone. */
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
