// The movie file's checksum, for provenance (`controller provenance`): SHA-256 read in a stream,
// so a multi-gigabyte movie never sits in memory.
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'

/** "sha256:<hex>" of the file's bytes. */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20})) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}
