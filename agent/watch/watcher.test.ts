import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {checkComplete, type Completeness} from '../../core/formats/completeness.js'
import {encodeMrc} from '../../core/formats/mrc-write.js'
import {MovieWatcher, type FoundMovie} from './watcher.js'

function movieBytes(frames = 3, size = 64): Buffer {
  const sections = Array.from({length: frames}, (_, i) => new Float32Array(size * size).fill(i))
  return Buffer.from(encodeMrc(sections, {width: size, height: size, mode: 2, pixelSize: 1}))
}

const watchers: MovieWatcher[] = []
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()))
})

function watch(dir: string, extra: Partial<ConstructorParameters<typeof MovieWatcher>[0]> = {}) {
  const watcher = new MovieWatcher({
    dir,
    pattern: '*.mrc',
    usePolling: false,
    pollIntervalMs: 100,
    isKnown: () => false,
    checkComplete,
    stableMs: 150,
    ...extra,
  })
  watchers.push(watcher)
  const found: FoundMovie[] = []
  const waiters: (() => void)[] = []
  watcher.on('movie', (m) => {
    found.push(m)
    waiters.splice(0).forEach((w) => w())
  })
  const next = () => new Promise<void>((resolve) => waiters.push(resolve))
  return {watcher, found, next}
}

describe('MovieWatcher', () => {
  it('hands on a movie only once it is complete, never a half-written one, and ignores other files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'))
    const {watcher, found, next} = watch(dir)
    await watcher.start()
    writeFileSync(join(dir, 'notes.txt'), 'not a movie')
    const bytes = movieBytes()
    const handle = await open(join(dir, 'slow.mrc'), 'w')
    await handle.write(bytes, 0, bytes.length - 4096)
    // The partial file is stable for much longer than stableMs: only the format check holds it back.
    const arrived = next()
    await new Promise((r) => setTimeout(r, 600))
    expect(found).toHaveLength(0)
    expect(watcher.pending()[0]?.reason).toMatch(/bytes the header implies/)
    await handle.write(bytes, bytes.length - 4096, 4096, bytes.length - 4096)
    await handle.close()
    await arrived
    expect(found.map((m) => m.path)).toEqual([join(dir, 'slow.mrc')])
    expect(found[0].size).toBe(bytes.length)
  })

  it('reports movies already in the folder at start, except known ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'))
    writeFileSync(join(dir, 'a.mrc'), movieBytes())
    writeFileSync(join(dir, 'b.mrc'), movieBytes())
    const {watcher, found, next} = watch(dir, {isKnown: (p) => p.endsWith('a.mrc')})
    const arrived = next()
    await watcher.start()
    await arrived
    expect(found.map((m) => m.path)).toEqual([join(dir, 'b.mrc')])
  })

  it('hands on a file whose format stays incomplete after giveUpMs, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'))
    writeFileSync(join(dir, 'cut.mrc'), movieBytes().subarray(0, 5000))
    const {watcher, found, next} = watch(dir, {giveUpMs: 300})
    const arrived = next()
    await watcher.start()
    await arrived
    expect(found[0].incomplete).toMatch(/header implies/)
  })

  it('reads a backlog of files a few at a time, and hands each on with its format, kind and checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'))
    const count = 24
    const bytes = movieBytes(2, 32)
    for (let i = 0; i < count; i++) writeFileSync(join(dir, `m${i}.mrc`), bytes)
    let reading = 0
    let mostAtOnce = 0
    // The format check of every file is due at the same moment: only the limit spreads them out.
    const counted = async (path: string): Promise<Completeness> => {
      mostAtOnce = Math.max(mostAtOnce, ++reading)
      try {
        return await checkComplete(path)
      } finally {
        reading--
      }
    }
    const {watcher, found, next} = watch(dir, {checkComplete: counted, fileReads: 3})
    await watcher.start()
    while (found.length < count) await next()
    // Never more than the limit; more than one, so the backlog really did pile up against it.
    expect(mostAtOnce).toBeLessThanOrEqual(3)
    expect(mostAtOnce).toBeGreaterThan(1)
    expect(new Set(found.map((m) => m.path)).size).toBe(count)
    const sha = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    expect(found[0]).toMatchObject({format: 'mrc', kind: 'movie', size: bytes.length, checksum: sha})
  })

  it('hands on FIFOs named like movies at once as not regular files, and they hold no read slot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watch-'))
    // More FIFOs than read slots: a reader waiting on one would starve the real movie.
    const fifos = Array.from({length: 5}, (_, i) => join(dir, `pipe${i}.mrc`))
    for (const f of fifos) execFileSync('mkfifo', [f])
    const bytes = movieBytes(2, 32)
    writeFileSync(join(dir, 'real.mrc'), bytes)
    const {watcher, found, next} = watch(dir, {fileReads: 4, giveUpMs: 600_000})
    await watcher.start()
    while (found.length < fifos.length + 1) await next()
    const byPath = new Map(found.map((m) => [m.path, m]))
    expect(byPath.get(join(dir, 'real.mrc'))).toMatchObject({kind: 'movie', checksum: expect.stringMatching(/^sha256:/)})
    expect(byPath.get(join(dir, 'real.mrc'))?.incomplete).toBeUndefined()
    for (const f of fifos) expect(byPath.get(f)).toMatchObject({incomplete: 'not a regular file', checksumError: `${f}: a FIFO, not a regular file`})
  })
})
