// Hostile files in the watched folder of a streaming session: each one that looks like a movie
// fails with a reason, nothing crashes, and a good movie written after them is still processed.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {controllerStatus, ensureBuilt, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {writeSmallMovie} from '../e2e/small-movie.js'
import {startFaultSession} from './session.js'

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})
beforeAll(() => ensureBuilt(), 300_000)

/** A 1024-byte MRC header (little-endian) with the given dimensions, mode and extended-header size. */
function mrcHeader(nx: number, ny: number, nz: number, mode: number, extended = 0): Buffer {
  const h = Buffer.alloc(1024)
  h.writeInt32LE(nx, 0)
  h.writeInt32LE(ny, 4)
  h.writeInt32LE(nz, 8)
  h.writeInt32LE(mode, 12)
  for (const [i, n] of [nx, ny, nz].entries()) h.writeInt32LE(n, 28 + 4 * i)
  h.writeInt32LE(extended, 92)
  h.write('MAP ', 208, 'latin1')
  h.writeUInt8(0x44, 212)
  h.writeUInt8(0x44, 213)
  return h
}

describe('bad inputs in a streaming session', () => {
  it('fails each bad file with a reason and goes on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-bad-'))
    const data = join(root, 'data')
    mkdirSync(data)
    // Written before the agent starts: a backlog of bad files.
    const bad: Record<string, string> = {
      'huge-extended-header.mrc': 'extended header of 2 GB in a 5 kB file',
      'huge-dimensions.mrc': '100000 x 100000 x 1000 frames claimed',
      'negative-dimensions.mrc': 'negative sizes',
      'garbage.mrc': 'random bytes',
      'empty.mrc': 'zero bytes',
    }
    writeFileSync(join(data, 'huge-extended-header.mrc'), Buffer.concat([mrcHeader(512, 512, 4, 2, 2_000_000_000), Buffer.alloc(4096)]))
    writeFileSync(join(data, 'huge-dimensions.mrc'), Buffer.concat([mrcHeader(100_000, 100_000, 1000, 2), Buffer.alloc(4096)]))
    writeFileSync(join(data, 'negative-dimensions.mrc'), Buffer.concat([mrcHeader(-512, 512, -4, 2), Buffer.alloc(4096)]))
    writeFileSync(join(data, 'garbage.mrc'), Buffer.from(Array.from({length: 5000}, (_, i) => (i * 7919) % 251)))
    writeFileSync(join(data, 'empty.mrc'), '')
    // Not movies at all: a symlink loop and a folder named like a movie.
    symlinkSync(join(data, 'loop-b.mrc'), join(data, 'loop-a.mrc'))
    symlinkSync(join(data, 'loop-a.mrc'), join(data, 'loop-b.mrc'))
    mkdirSync(join(data, 'folder.mrc'))
    writeFileSync(join(data, 'folder.mrc', 'notes.txt'), 'not a movie')

    const session = await startFaultSession(root, 'bad', {data, out: join(root, 'out'), running})
    const agent = session.startAgent()

    // A movie deleted while the agent reads it, then a good movie: the session goes on.
    const vanishing = join(data, 'vanishing.mrc')
    await writeSmallMovie(join(root, 'vanishing.mrc'), {frames: 4, seed: 3})
    writeFileSync(vanishing, readFileSync(join(root, 'vanishing.mrc')))
    await waitFor('the agent to find the vanishing movie', () => (readState(root).includes('vanishing.mrc') ? true : undefined), 120_000, 50)
    rmSync(vanishing)
    await writeSmallMovie(join(data, 'good.mrc'), {frames: 4, seed: 4})

    const expected = Object.keys(bad).length + 2
    const status = await waitFor(
      'every movie to end',
      async () => {
        const s = await controllerStatus(session.projects, 'bad')
        return s.movies.processed + s.movies.failed >= expected && s.movies.inFlight === 0 ? s : undefined
      },
      240_000,
      1000,
    )
    expect(agent.child.exitCode, agent.stderr()).toBeNull()
    const rows = await session.stop()
    const failedRows = rows("SELECT m.movie, s.step, s.state, s.error FROM movies m JOIN step_runs s ON s.movie_id = m.id WHERE s.state = 'failed'")
    const movieNames = rows('SELECT movie FROM movies').map((r) => String(r[0]))
    const failed = new Map(failedRows.map((r) => [String(r[0]), String(r[3])]))
    for (const [name, r] of failed) console.log(`bad input ${name}: ${r}`)
    // Every bad movie failed with a reason, the good one did not; the non-movies never became movies.
    for (const name of Object.keys(bad)) expect(failed.get(name), name).toMatch(/\w{4,}/)
    expect(failed.has('good.mrc')).toBe(false)
    expect(status.steps.motion!.done).toBeGreaterThanOrEqual(1)
    expect(movieNames).toContain('good.mrc')
    for (const name of ['loop-a.mrc', 'loop-b.mrc', 'folder.mrc', 'folder.mrc/notes.txt']) expect(movieNames).not.toContain(name)
    // The vanishing movie either was read whole before it went, or failed with a reason.
    expect(status.movies.processed + status.movies.failed).toBe(expected)
  }, 400_000)
})

function readState(root: string): string {
  try {
    return readFileSync(join(root, 'state', 'movies.jsonl'), 'utf8')
  } catch {
    return ''
  }
}
