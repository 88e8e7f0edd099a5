// A FIFO named like a movie: every reader refuses it at once with a FormatError naming what it
// is, instead of an open that waits for a writer forever (and holds a thread of the fs pool).
import {execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {checkComplete} from './completeness.js'
import {FormatError} from './errors.js'
import {openForReading} from './file-range.js'
import {openMovie} from './movie.js'
import {openMrc, readMrcHeader} from './mrc-read.js'
import {openTiff} from './tiff.js'
import {openEer} from './eer.js'
import {useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('not-regular')

describe('readers on files that are not regular files', () => {
  it('refuse a FIFO and a directory with the reason, for every format and the completeness check', async () => {
    const fifo = tmp('fifo.mrc')
    execFileSync('mkfifo', [fifo])
    const dir = tmp('folder.mrc')
    mkdirSync(dir)
    for (const read of [openForReading, openMovie, openMrc, readMrcHeader, openTiff, openEer]) {
      const error = await (read as (p: string) => Promise<unknown>)(fifo).catch((e: unknown) => e)
      expect(error, read.name).toBeInstanceOf(FormatError)
      expect(error).toMatchObject({code: 'not-regular', message: `${fifo}: a FIFO, not a regular file`})
    }
    await expect(openMovie(dir)).rejects.toThrow(/a directory, not a regular file/)
    expect(await checkComplete(fifo)).toEqual({complete: false, reason: expect.stringMatching(/a FIFO, not a regular file/)})
  })
})
