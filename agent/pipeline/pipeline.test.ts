import {mkdtempSync, readFileSync, writeFileSync, existsSync, appendFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, basename} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {LocalState} from './local-state.js'
import type {MovieRecord, StepName} from './movie.js'
import {Pipeline, type StepBinding} from './pipeline.js'
import {ResourcePool} from './resources.js'
import {StepRunner} from './step-runner.js'

const stepModule = new URL('./fixtures/file-steps.ts', import.meta.url).href

function binding(name: StepName, from: StepName | undefined, out: string, extra: {failOn?: string; entry?: string} = {}): StepBinding {
  return {
    name,
    program: 'builtin',
    version: 1,
    applies: () => true,
    resources: {cpu: 1, gpu: 0},
    call: (movie, results) => {
      const parameters = {tag: name, failOn: extra.failOn}
      const input = from ? (results[from] as {output: string}).output : movie.path
      return {call: {module: stepModule, entry: extra.entry ?? 'copyStep', args: [input, join(out, name), parameters]}, parameters}
    },
  }
}

function movieAt(dir: string, name: string, text = 'frames'): Omit<MovieRecord, 'order' | 'status' | 'steps'> {
  const path = join(dir, name)
  writeFileSync(path, text)
  return {id: name, path, foundAt: Date.now(), size: text.length, mtimeMs: 0, format: 'mrc', kind: 'movie'}
}

const runners: StepRunner[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

function setUp(steps: (out: string) => StepBinding[], cpu = 2) {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-'))
  const runner = new StepRunner(cpu)
  runners.push(runner)
  const state = LocalState.open(join(dir, 'state'))
  const pipeline = new Pipeline({state, steps: steps(join(dir, 'out')), pool: new ResourcePool(cpu, []), executor: runner, attempts: 2, softwareVersion: 'test'})
  return {dir, state, pipeline, runner}
}

describe('Pipeline', () => {
  it('runs every step of every movie in order, chaining outputs', async () => {
    const {dir, state, pipeline} = setUp((out) => [binding('motion', undefined, out), binding('ctf', 'motion', out), binding('picking', 'ctf', out)])
    for (const name of ['a.mrc', 'b.mrc', 'c.mrc']) pipeline.add(movieAt(dir, name, `data of ${name}`))
    await pipeline.idle()
    expect(pipeline.counts()).toMatchObject({found: 3, done: 3, failed: 0, queued: 0, running: 0})
    for (const name of ['a.mrc', 'b.mrc', 'c.mrc']) {
      expect(readFileSync(join(dir, 'out', 'picking', `${name}.motion.ctf.picking`), 'utf8')).toBe(`data of ${name}`)
      expect(state.get(name)?.status).toBe('done')
    }
  })

  it('fails a movie at the step that failed after its retries, and goes on with the others', async () => {
    const {dir, state, pipeline} = setUp((out) => [binding('motion', undefined, out, {failOn: 'CORRUPT'}), binding('ctf', 'motion', out)])
    pipeline.add(movieAt(dir, 'bad.mrc', 'CORRUPT header'))
    pipeline.add(movieAt(dir, 'good.mrc', 'fine'))
    await pipeline.idle()
    const bad = state.get('bad.mrc')!
    expect(bad.status).toBe('failed')
    expect(bad.failure?.step).toBe('motion')
    expect(bad.failure?.message).toContain('CORRUPT')
    expect(bad.steps.motion).toMatchObject({attempts: 2, failures: 2})
    expect(bad.steps.ctf).toBeUndefined()
    expect(state.get('good.mrc')?.status).toBe('done')
  })

  it("retries a failed step by the step's own policy, after its backoff", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipeline-'))
    const runner = new StepRunner(1)
    runners.push(runner)
    const state = LocalState.open(join(dir, 'state'))
    const out = join(dir, 'out')
    const flaky: StepBinding = {
      ...binding('motion', undefined, out),
      retry: {retries: 2, backoffSeconds: 0.05},
      call: (movie) => ({call: {module: stepModule, entry: 'flakyStep', args: [movie.path, join(out, 'motion'), {tag: 'motion', failTimes: 2}]}, parameters: {}}),
    }
    const events: {line: string; at: number}[] = []
    // attempts: 1 would fail the movie at once; the step's retries (2) override it.
    const pipeline = new Pipeline({
      state,
      steps: [flaky, binding('ctf', 'motion', out)],
      pool: new ResourcePool(1, []),
      executor: runner,
      attempts: 1,
      softwareVersion: 'test',
      log: (line) => events.push({line, at: performance.now()}),
    })
    pipeline.add(movieAt(dir, 'a.mrc'))
    await pipeline.idle()
    expect(state.get('a.mrc')?.status).toBe('done')
    expect(state.get('a.mrc')?.steps.motion).toMatchObject({status: 'done', attempts: 3, failures: 2})
    const motion = events.filter((e) => e.line.startsWith('a.mrc: motion'))
    expect(motion.map((e) => e.line.split(' ')[2])).toEqual(['started', 'failed', 'started', 'failed', 'started', 'done'])
    // The backoff doubles: >= 50 ms before the first retry, >= 100 ms before the second.
    expect(motion[2]!.at - motion[1]!.at).toBeGreaterThanOrEqual(45)
    expect(motion[4]!.at - motion[3]!.at).toBeGreaterThanOrEqual(95)
  })

  it('never runs more steps at once than CPU threads', async () => {
    let running = 0
    let peak = 0
    const runner = new StepRunner(3)
    runners.push(runner)
    const dir = mkdtempSync(join(tmpdir(), 'pipeline-'))
    const executor = {
      run: async (call: Parameters<StepRunner['run']>[0]) => {
        peak = Math.max(peak, ++running)
        try {
          return await runner.run(call)
        } finally {
          running--
        }
      },
    }
    const state = LocalState.open(join(dir, 'state'))
    const out = join(dir, 'out')
    const pipeline = new Pipeline({
      state,
      steps: [binding('motion', undefined, out), binding('ctf', 'motion', out)],
      pool: new ResourcePool(2, []),
      executor,
      attempts: 1,
      softwareVersion: 'test',
    })
    for (let i = 0; i < 6; i++) pipeline.add(movieAt(dir, `m${i}.mrc`))
    await pipeline.idle()
    expect(pipeline.counts().done).toBe(6)
    expect(peak).toBe(2)
  })

  it('after a restart, redoes only the step that was running and skips finished ones', async () => {
    const {dir, state, pipeline} = setUp((out) => [binding('motion', undefined, out, {entry: 'countingStep'}), binding('ctf', 'motion', out, {entry: 'countingStep'})])
    pipeline.add(movieAt(dir, 'a.mrc'))
    await pipeline.idle()
    // Simulate a crash while b's ctf was running: motion done, ctf started, then the process died.
    pipeline.stop()
    const b = pipeline.add(movieAt(dir, 'b.mrc'))
    const run = {program: 'builtin', version: 'test', argv: [], parameters: {}, startedAt: 0, endedAt: 0, exitStatus: null, stderrTail: ''}
    state.stepStarted(b.id, 'motion', 1, 'builtin')
    state.stepDone(b.id, 'motion', {output: join(dir, 'out', 'motion', 'b.mrc.motion'), tag: 'motion'}, run)
    writeFileSync(join(dir, 'out', 'motion', 'b.mrc.motion'), 'frames')
    state.stepStarted(b.id, 'ctf', 1, 'builtin')
    state.close()
    appendFileSync(join(dir, 'state', 'movies.jsonl'), '{"t":"step-done","id":"b.mr') // torn write

    const reopened = LocalState.open(join(dir, 'state'))
    expect(reopened.get('b.mrc')?.steps.ctf).toMatchObject({status: 'interrupted', attempts: 1, failures: 0})
    const runner = new StepRunner(2)
    runners.push(runner)
    const out = join(dir, 'out')
    const again = new Pipeline({
      state: reopened,
      steps: [binding('motion', undefined, out, {entry: 'countingStep'}), binding('ctf', 'motion', out, {entry: 'countingStep'})],
      pool: new ResourcePool(2, []),
      executor: runner,
      attempts: 1,
      softwareVersion: 'test',
    })
    again.resume()
    await again.idle()
    expect(reopened.get('b.mrc')?.status).toBe('done')
    expect(reopened.get('b.mrc')?.steps.ctf?.attempts).toBe(2)
    expect(readFileSync(join(out, 'motion', 'a.mrc.count'), 'utf8')).toBe('1')
    expect(readFileSync(join(out, 'ctf', 'a.mrc.motion.count'), 'utf8')).toBe('1')
    expect(existsSync(join(out, 'motion', 'b.mrc.count'))).toBe(false)
    expect(readFileSync(join(out, 'ctf', 'b.mrc.motion.count'), 'utf8')).toBe('1')
    expect(basename(reopened.all()[1].path)).toBe('b.mrc')
  })
})
