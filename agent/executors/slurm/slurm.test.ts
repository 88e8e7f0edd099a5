// The SLURM executor against a real SLURM (scripts/slurm/start-local-slurm.sh, started by
// .ci/run): movies through jobs several at a time with the results of local execution (built-in
// steps, and RELION as an external program), jobs that fail, time out or are requeued
// (pre-emption) resubmitted, and jobs cancelled when the pipeline stops.
import {execFileSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtempSync, rmSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import type {SlurmExecutorSettings, Workflow} from '../../../core/workflow/types.js'
import {validateWorkflow} from '../../../core/workflow/index.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {writeSmallMovie} from '../../../test/e2e/small-movie.js'
import {bindWorkflow} from '../../pipeline/bindings.js'
import {LocalState} from '../../pipeline/local-state.js'
import type {StepName} from '../../pipeline/movie.js'
import {Pipeline, type StepBinding, type StepJob} from '../../pipeline/pipeline.js'
import {ResourcePool} from '../../pipeline/resources.js'
import {StepRunner} from '../../pipeline/step-runner.js'
import {withExecutor} from '../bind.js'
import {SlurmExecutor, SlurmJobError, type SlurmJobEvent} from './executor.js'
import type {Ran} from './fixtures/steps.js'

const steps = new URL('./fixtures/steps.ts', import.meta.url).href

function settings(over: Partial<SlurmExecutorSettings> = {}): SlurmExecutorSettings {
  return {
    kind: 'slurm',
    cpus: 1,
    gpus: 0,
    mem: '256M',
    time: '10',
    moviesPerJob: 2,
    batchWaitSeconds: 0.5,
    maxJobs: 8,
    resubmissions: 2,
    pollSeconds: 0.3,
    setup: [],
    sbatchArgs: [],
    ...over,
  }
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slurm-executor-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** An executor on fixture steps, with the events it reported and the job each call's outcome came from (by its first argument). */
function executor(name: string, over: Partial<SlurmExecutorSettings> = {}) {
  const events: SlurmJobEvent[] = []
  const placements = new Map<unknown, StepJob>()
  const slurm = new SlurmExecutor({settings: settings(over), step: name, workDir: join(dir, name), onEvent: (e) => events.push(e)})
  const run = (entry: string, ...args: unknown[]) => slurm.run({module: steps, entry, args, cancellable: true}, undefined, (job) => placements.set(args[0], job)) as Promise<Ran>
  return {slurm, events, placements, run}
}

function squeue(jobIds: string[], all = false): string[] {
  if (jobIds.length === 0) return []
  const args = ['-h', ...(all ? ['-t', 'all'] : []), '-j', jobIds.join(','), '-o', '%i %T']
  return execFileSync('squeue', args, {encoding: 'utf8'}).trim().split('\n').filter(Boolean)
}

function submitted(events: SlurmJobEvent[]): Extract<SlurmJobEvent, {type: 'submitted'}>[] {
  return events.filter((e): e is Extract<SlurmJobEvent, {type: 'submitted'}> => e.type === 'submitted')
}

function ended(events: SlurmJobEvent[]): Extract<SlurmJobEvent, {type: 'ended'}>[] {
  return events.filter((e): e is Extract<SlurmJobEvent, {type: 'ended'}> => e.type === 'ended')
}

describeWithTools({commands: ['sbatch', 'squeue', 'scancel', 'sinfo', 'scontrol']}, 'SLURM executor on a real SLURM', () => {
  beforeAll(() => {
    const state = execFileSync('sinfo', ['-h', '-o', '%T'], {encoding: 'utf8'}).trim()
    if (!/idle|mixed|allocated/.test(state)) throw new Error(`no usable SLURM node (sinfo: ${state}); run scripts/slurm/start-local-slurm.sh`)
  })

  describe.concurrent('jobs', () => {
    it('processes movies through SLURM jobs, several per job, with the results of local execution', {timeout: 120_000}, async () => {
      const movies = await Promise.all(['m1', 'm2', 'm3'].map(async (name, i) => {
        const path = join(dir, `${name}.mrc`)
        await writeSmallMovie(path, {size: 256, frames: 4, seed: 70 + i})
        return path
      }))
      const local = await processThrough(workflow(), movies, join(dir, 'local'))
      const events: SlurmJobEvent[] = []
      const onSlurm = {kind: 'slurm' as const, cpus: 1, mem: '512M', time: '10', moviesPerJob: 2, batchWaitSeconds: 0.5, pollSeconds: 0.3}
      const remote = await processThrough(workflow({motion: {executor: onSlurm}, ctf: {executor: onSlurm}}), movies, join(dir, 'remote'), events)
      expect(remote).toEqual(local)
      expect(local.every((r) => r.ctf !== undefined && r.motion !== undefined)).toBe(true)
      // 3 movies x 2 steps in jobs of up to 2 movies: fewer jobs than calls, at least one with 2 movies.
      const jobs = submitted(events)
      expect(jobs.length).toBeLessThan(6)
      expect(Math.max(...jobs.map((j) => j.tasks))).toBe(2)
      expect(ended(events).every((e) => e.state === 'COMPLETED')).toBe(true)
    })

    describeWithTools({commands: ['relion_run_motioncorr']}, 'with RELION', () => {
      it('runs an external program (RELION motion correction) in a job as the agent runs it', {timeout: 120_000}, async () => {
        const movie = join(dir, 'relion.mrc')
        await writeSmallMovie(movie, {size: 256, frames: 4, seed: 90})
        const only: StepName[] = ['motion']
        const relion = {program: 'relion', threads: 1}
        const local = await processThrough(workflow({motion: relion}), [movie], join(dir, 'relion-local'), undefined, only)
        const events: SlurmJobEvent[] = []
        const onSlurm = {...relion, executor: {kind: 'slurm', cpus: 1, mem: '512M', time: '10', batchWaitSeconds: 0, pollSeconds: 0.3}}
        const remote = await processThrough(workflow({motion: onSlurm}), [movie], join(dir, 'relion-remote'), events, only)
        expect(submitted(events)).toHaveLength(1)
        const {provenance: remoteRun, ...remoteMotion} = remote[0].motion as {provenance: {argv: string[]}}
        const {provenance: localRun, ...localMotion} = local[0].motion as {provenance: {argv: string[]}}
        expect(remoteMotion).toEqual(localMotion)
        expect(remoteRun.argv).toEqual(localRun.argv)
        expect(remoteRun.argv[0]).toMatch(/relion_run_motioncorr/)
      })
    })

    it('resubmits a job that failed, and fails the movies with the reason once resubmissions are spent', {timeout: 90_000}, async () => {
      const {events, placements, run} = executor('crash')
      const [crashed, neighbour] = await Promise.all([run('crashOnceStep', 'a', join(dir, 'crash-a')), run('slowStep', 'b', 0)])
      // Results are read as the job writes them, so the second job may not have ended yet.
      const [first] = ended(events)
      expect(first).toMatchObject({state: 'FAILED', resubmitted: 2, failed: 0})
      expect(submitted(events).map((e) => e.tasks)).toEqual([2, 2])
      expect(crashed).toMatchObject({value: 'a', jobId: submitted(events)[1].jobId})
      expect(neighbour).toMatchObject({value: 'b', jobId: submitted(events)[1].jobId})
      // Provenance names the job that gave the result, and the node it ran on (this machine).
      expect(placements.get('a')).toEqual({scheduler: 'slurm', jobId: submitted(events)[1].jobId, node: hostname()})

      const spent = executor('crash-spent', {resubmissions: 0})
      const failure = await spent.run('crashOnceStep', 'c', join(dir, 'crash-c')).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(SlurmJobError)
      expect((failure as SlurmJobError).message).toMatch(/^SLURM job \d+ ended FAILED .* after 1 submission/)
    })

    it("fails a step's own error without resubmitting, and a job sbatch refuses with sbatch's reason", {timeout: 60_000}, async () => {
      const {events, run} = executor('step-error')
      await expect(run('failingStep', 'x')).rejects.toThrow('step failed on x')
      expect(submitted(events)).toHaveLength(1)
      const refused = executor('refused', {partition: 'no-such-partition'})
      await expect(refused.run('slowStep', 'y', 0)).rejects.toThrow(/sbatch .*invalid partition/i)
    })

    it('keeps at most maxJobs jobs in the queue; the other movies wait in the agent', {timeout: 90_000}, async () => {
      const {events, run} = executor('max-jobs', {maxJobs: 1, moviesPerJob: 1, batchWaitSeconds: 0})
      const results = await Promise.all(['a', 'b', 'c'].map((v) => run('slowStep', v, 0)))
      expect(new Set(results.map((r) => r.jobId)).size).toBe(3)
      await vi.waitFor(() => expect(ended(events)).toHaveLength(3), {timeout: 30_000, interval: 100})
      // Each job was submitted only once the one before it had ended.
      const order = events.filter((e) => e.type === 'submitted' || e.type === 'ended').map((e) => e.type)
      expect(order).toEqual(['submitted', 'ended', 'submitted', 'ended', 'submitted', 'ended'])
    })

    it('resubmits a job that ran out of its time limit', {timeout: 180_000}, async () => {
      // SLURM's time limit is whole minutes, enforced every 30 s: this takes 60-90 s, mostly waiting.
      const {events, run} = executor('timeout', {time: '1', moviesPerJob: 1})
      const result = await run('hangOnceStep', 'late', join(dir, 'hang'))
      const [first] = ended(events)
      expect(first).toMatchObject({state: 'TIMEOUT', resubmitted: 1})
      expect(submitted(events)).toHaveLength(2)
      expect(result).toMatchObject({value: 'late', jobId: submitted(events)[1].jobId})
    })

    it('follows a job SLURM requeues (pre-emption) and skips the movies it had done', {timeout: 90_000}, async () => {
      const {events, run} = executor('preempt', {moviesPerJob: 2})
      const quick = run('slowStep', 'a', 500)
      const slow = run('slowStep', 'b', 6000)
      const a = await quick
      execFileSync('scontrol', ['requeue', a.jobId!])
      const b = await slow
      expect(b).toMatchObject({value: 'b', jobId: a.jobId, restart: 1})
      expect(a.restart).toBe(0)
      expect(events).toContainEqual({type: 'requeued', jobId: a.jobId, restarts: 1})
      expect(events.filter((e) => e.type === 'started').map((e) => (e as {restart: number}).restart)).toEqual([0, 1])
      expect(submitted(events)).toHaveLength(1)
    })

    it('cancels its jobs with scancel when the pipeline stops', {timeout: 60_000}, async () => {
      const events: SlurmJobEvent[] = []
      const state = LocalState.open(join(dir, 'stop-state'))
      const runner = new StepRunner(1)
      const step: StepBinding = {
        name: 'motion',
        program: 'builtin',
        version: 1,
        applies: () => true,
        resources: {cpu: 1, gpu: 0},
        call: (movie) => ({call: {module: steps, entry: 'slowStep', args: [movie.id, 600_000], cancellable: true}, parameters: {}}),
      }
      const slurm = withExecutor(step, settings({moviesPerJob: 2}), {outDir: join(dir, 'stop'), onEvent: (e) => events.push(e)})
      const pipeline = new Pipeline({state, steps: [slurm], pool: new ResourcePool(1, []), executor: runner, attempts: 1, softwareVersion: 'test'})
      for (const id of ['s1', 's2', 's3']) pipeline.add({id, path: join(dir, id), foundAt: Date.now(), size: 0, mtimeMs: 0, format: 'mrc', kind: 'movie'})
      await vi.waitFor(() => expect(events.filter((e) => e.type === 'started')).not.toHaveLength(0), {timeout: 45_000, interval: 100})
      const jobIds = submitted(events).map((e) => e.jobId)
      expect(jobIds).toHaveLength(2)
      expect(pipeline.counts().running).toBe(3)
      await pipeline.stop()
      expect(events.filter((e) => e.type === 'cancelled').map((e) => e.jobId).sort()).toEqual([...jobIds].sort())
      await vi.waitFor(() => expect(squeue(jobIds)).toEqual([]), {timeout: 30_000, interval: 200})
      expect(squeue(jobIds, true).map((line) => line.split(' ')[1])).toEqual(['CANCELLED', 'CANCELLED'])
      await runner.close()
      state.close()
    })

    it('cancels, when it starts, the jobs an agent on this host left when it died', {timeout: 90_000}, async () => {
      const workDir = join(dir, 'orphans')
      const doomed = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/doomed-agent.ts', import.meta.url)), workDir, 'motion'], {stdio: ['ignore', 'pipe', 'inherit']})
      const [line] = (await once(doomed.stdout!, 'data')) as [Buffer]
      const jobId = line.toString().trim()
      expect(squeue([jobId]).map((l) => l.split(' ')[1])).toEqual(['RUNNING'])
      doomed.kill('SIGKILL')
      await once(doomed, 'exit')
      // The job outlives its agent until the next agent starts.
      expect(squeue([jobId]).map((l) => l.split(' ')[1])).toEqual(['RUNNING'])
      const events: SlurmJobEvent[] = []
      new SlurmExecutor({settings: settings(), step: 'motion', workDir, onEvent: (e) => events.push(e)})
      await vi.waitFor(() => expect(events).toEqual([{type: 'orphanCancelled', jobId, pid: doomed.pid}]), {timeout: 30_000, interval: 100})
      await vi.waitFor(() => expect(squeue([jobId], true).map((l) => l.split(' ')[1])).toEqual(['CANCELLED']), {timeout: 30_000, interval: 200})
      // Looked at once: a third agent finds nothing to cancel.
      const later: SlurmJobEvent[] = []
      const third = new SlurmExecutor({settings: settings(), step: 'motion', workDir, onEvent: (e) => later.push(e)})
      await expect(third.run({module: steps, entry: 'slowStep', args: ['after', 0], cancellable: true})).resolves.toMatchObject({value: 'after'})
      expect(later.filter((e) => e.type === 'orphanCancelled')).toEqual([])
    })
  })
})

function workflow(steps: {motion?: object; ctf?: object} = {}): Workflow {
  return validateWorkflow({
    acquisition: {inputFolder: dir, pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    motion: {threads: 1, ...steps.motion},
    ctf: {boxSize: 128, minResolution: 30, maxResolution: 5, defocusMin: 5000, defocusMax: 30000, ...steps.ctf},
    picking: {enabled: false},
    preview: {enabled: false},
  })
}

/** Runs the steps (motion and CTF) on the movies; each movie's results with the output folder written as <out>. */
async function processThrough(w: Workflow, movies: string[], outDir: string, events?: SlurmJobEvent[], only: StepName[] = ['motion', 'ctf']) {
  const state = LocalState.open(join(outDir, 'state'))
  const runner = new StepRunner(2)
  const pipeline = new Pipeline({
    state,
    steps: bindWorkflow({workflow: w, revision: 1, outDir, only, executors: {onEvent: (e) => events?.push(e)}}),
    pool: new ResourcePool(2, []),
    executor: runner,
    attempts: 1,
    softwareVersion: 'test',
  })
  try {
    for (const path of movies) pipeline.add({id: path.split('/').pop()!, path, foundAt: Date.now(), size: 0, mtimeMs: 0, format: 'mrc', kind: 'movie'})
    await pipeline.idle()
    return movies.map((path) => {
      const movie = state.get(path.split('/').pop()!)!
      expect(movie.failure).toBeUndefined()
      const results = Object.fromEntries(only.map((s) => [s, movie.steps[s]?.result]))
      return JSON.parse(JSON.stringify(results).replaceAll(outDir, '<out>')) as Record<string, unknown>
    })
  } finally {
    await runner.close()
    state.close()
  }
}
