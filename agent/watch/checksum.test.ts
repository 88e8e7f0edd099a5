import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {fileChecksum} from './checksum.js'

describeWithTools({commands: ['sha256sum']}, 'movie checksum', () => {
  it('is the SHA-256 sha256sum computes, over more than one read chunk', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'checksum-')), 'movie.mrc')
    const bytes = Buffer.alloc(3 * (1 << 20) + 17)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    writeFileSync(file, bytes)
    const expected = spawnSync('sha256sum', [file], {encoding: 'utf8'}).stdout.split(' ')[0]
    expect(await fileChecksum(file)).toBe(`sha256:${expected}`)
  })
})
