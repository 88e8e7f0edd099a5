import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LocalState} from './local-state.js'

const run = {program: 'builtin', version: 't', argv: [], parameters: {}, startedAt: 0, endedAt: 0, exitStatus: null, stderrTail: ''}

function addMovie(state: LocalState, id: string) {
  return state.addMovie({id, path: `/data/${id}`, foundAt: 0, size: 1, mtimeMs: 0, format: 'mrc', kind: 'movie'})
}

describe('LocalState', () => {
  it('compacts a long journal into one record per movie without losing any state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'))
    const state = LocalState.open(dir)
    for (let i = 0; i < 20; i++) {
      const id = `m${i}.mrc`
      addMovie(state, id)
      for (const step of ['motion', 'ctf'] as const) {
        state.stepStarted(id, step, 1, 'builtin')
        state.stepDone(id, step, {micrograph: `/out/${id}`}, run)
      }
      if (i % 2 === 0) state.movieDone(id)
    }
    state.close()
    const lines = readFileSync(join(dir, 'movies.jsonl'), 'utf8').trim().split('\n')
    expect(lines.length).toBeLessThan(100) // 20 movies x 5.5 records = 110 without compaction
    const again = LocalState.open(dir)
    expect(again.all().map((m) => m.id)).toEqual(Array.from({length: 20}, (_, i) => `m${i}.mrc`))
    expect(again.get('m0.mrc')?.status).toBe('done')
    // A finished movie keeps its results: a rerun of a later step takes them as its input.
    expect(again.get('m0.mrc')?.steps.ctf?.result).toEqual({micrograph: '/out/m0.mrc'})
    expect(again.get('m1.mrc')?.status).toBe('queued')
    expect(again.get('m1.mrc')?.steps.ctf?.result).toEqual({micrograph: '/out/m1.mrc'})
    expect(again.hasPath('/data/m19.mrc')).toBe(true)
    expect(addMovie(again, 'new.mrc').order).toBe(20)
  })

  it('stamps each record with the seq its event gets and announces it once durable', () => {
    const state = LocalState.open(mkdtempSync(join(tmpdir(), 'state-')))
    let next = 1
    const announced: [string, number | undefined][] = []
    state.setHooks({stamp: (r) => (r.t === 'movie-done' ? undefined : next++), written: (r) => announced.push([r.t, r.seq])})
    addMovie(state, 'a.mrc')
    state.stepStarted('a.mrc', 'motion', 1, 'builtin')
    state.movieDone('a.mrc')
    expect(announced).toEqual([
      ['movie', 1],
      ['step-started', 2],
      ['movie-done', undefined],
    ])
  })
})
