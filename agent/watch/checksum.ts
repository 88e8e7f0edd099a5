// The movie file's checksum, for provenance (`controller provenance`): SHA-256 read in a stream,
// so a multi-gigabyte movie never sits in memory.
import {createHash} from 'node:crypto'
import {openForReading} from '../../core/formats/file-range.js'

/** "sha256:<hex>" of the file's bytes (regular files only: a FIFO is refused, not waited on). */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256')
  const handle = await openForReading(path)
  try {
    for await (const chunk of handle.createReadStream({highWaterMark: 1 << 20, autoClose: false})) hash.update(chunk as Buffer)
  } finally {
    await handle.close()
  }
  return `sha256:${hash.digest('hex')}`
}
