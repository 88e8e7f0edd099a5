import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {LocalState} from './local-state.js'
import type {StepName} from './movie.js'
import {Pipeline, type StepBinding} from './pipeline.js'
import {ResourcePool} from './resources.js'
import {StepRunner} from './step-runner.js'

const stepModule = new URL('./fixtures/file-steps.ts', import.meta.url).href

/** Steps that copy the previous step's output, counting their runs per input (file-steps.ts). */
function bindings(out: string, version: number): StepBinding[] {
  const chain: [StepName, StepName | undefined][] = [['motion', undefined], ['ctf', 'motion'], ['picking', 'ctf']]
  return chain.map(([name, from]) => ({
    name,
    program: 'builtin',
    version,
    applies: () => true,
    resources: {cpu: 1, gpu: 0},
    call: (movie, results) => {
      const parameters = {tag: name, version}
      const input = from ? (results[from] as {output: string}).output : movie.path
      return {call: {module: stepModule, entry: 'countingStep', args: [input, join(out, name), parameters]}, parameters}
    },
  }))
}

const runners: StepRunner[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

describe('Pipeline rerun', () => {
  it('runs a step and its downstream steps again under the new version, from the kept upstream results, once per request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rerun-'))
    const out = join(dir, 'out')
    const runner = new StepRunner(2)
    runners.push(runner)
    const state = LocalState.open(join(dir, 'state'))
    const pipeline = new Pipeline({state, steps: bindings(out, 1), pool: new ResourcePool(2, []), executor: runner, attempts: 1, softwareVersion: 'test'})
    for (const id of ['a.mrc', 'b.mrc']) {
      writeFileSync(join(dir, id), `frames of ${id}`)
      pipeline.add({id, path: join(dir, id), foundAt: 0, size: 1, mtimeMs: 0, format: 'mrc', kind: 'movie'})
    }
    await pipeline.idle()
    expect(state.get('a.mrc')?.status).toBe('done')

    pipeline.rebind(bindings(out, 2))
    expect(pipeline.rerun(['a.mrc', 'not-here.mrc'], ['ctf', 'picking'], 1)).toEqual(['a.mrc'])
    await pipeline.idle()
    const a = state.get('a.mrc')!
    expect(a.status).toBe('done')
    expect([a.steps.motion?.version, a.steps.ctf?.version, a.steps.picking?.version]).toEqual([1, 2, 2])
    expect(state.get('b.mrc')?.steps.ctf?.version).toBe(1)
    const runs = (step: string, file: string) => Number(readFileSync(join(out, step, file), 'utf8'))
    expect([runs('motion', 'a.mrc.count'), runs('ctf', 'a.mrc.motion.count'), runs('picking', 'a.mrc.motion.ctf.count')]).toEqual([1, 2, 2])
    expect(runs('ctf', 'b.mrc.motion.count')).toBe(1)

    // The same request again (re-sent after a reconnect, or after a restart) changes nothing.
    state.close()
    const reopened = LocalState.open(join(dir, 'state'))
    expect(reopened.get('a.mrc')?.lastRerun).toBe(1)
    expect(reopened.resetSteps('a.mrc', ['ctf', 'picking'], 1)).toBe(false)
    expect(reopened.queued()).toEqual([])
    reopened.close()
  })
})
