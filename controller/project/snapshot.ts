// Snapshots are written whole to a temp file, flushed, then renamed over the old one, so a crash
// leaves either the old snapshot or the new one, never a torn file. The temp file is never read,
// and one that could not be written whole is removed at once (on a full disk it holds the space).
import {existsSync} from 'node:fs'
import {open, readFile, rename, rm} from 'node:fs/promises'
import {dirname} from 'node:path'
import {asDiskFull} from './storage.js'

export async function writeSnapshot(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.tmp`
  try {
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch (error) {
    await rm(temp, {force: true})
    throw asDiskFull(error, file, 'snapshot write') ?? error
  }
  await rename(temp, file)
  await syncDirectory(dirname(file))
}

export async function readSnapshot(file: string): Promise<Uint8Array | undefined> {
  return existsSync(file) ? new Uint8Array(await readFile(file)) : undefined
}

/** Makes a rename durable (the directory entry itself). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
