// Snapshots are written whole to a temp file, flushed, then renamed over the old one, so a crash
// leaves either the old snapshot or the new one, never a torn file. The temp file is never read.
import {existsSync} from 'node:fs'
import {open, readFile, rename} from 'node:fs/promises'
import {dirname} from 'node:path'

export async function writeSnapshot(file: string, bytes: Uint8Array): Promise<void> {
  const temp = `${file}.tmp`
  const handle = await open(temp, 'w', 0o600)
  try {
    await handle.write(bytes)
    await handle.sync()
  } finally {
    await handle.close()
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
