// controller rerun on a live session with real processes: the agent runs ctf and picking of one
// micrograph again under the new workflow revision; the earlier version stays, the new one is
// current, and controller provenance shows both with their parameters.
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {MicrographProvenance} from '../../controller/provenance/trace.js'
import {controllerStatus, ensureBuilt, runProgram, spawnProgram, startController, waitFor, type Spawned} from '../../scripts/demo/processes.js'
import {writeSmallMovie} from './small-movie.js'

const running: Spawned[] = []
afterAll(() => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})

beforeAll(() => ensureBuilt(), 300_000)

async function provenance(projects: string, movie: string): Promise<MicrographProvenance> {
  const r = await runProgram('controller', ['provenance', '--name', 'rerun', '--dir', projects, '--micrograph', movie, '--json'])
  if (r.code !== 0) throw new Error(`controller provenance failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as MicrographProvenance
}

describe('controller rerun end to end', () => {
  it('re-processes ctf and picking of one micrograph with a new parameter; both versions keep their provenance', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emstream-rerun-'))
    const data = join(root, 'data')
    const projects = join(root, 'projects')
    mkdirSync(data)
    mkdirSync(projects)
    await writeSmallMovie(join(data, 'movie_1.mrc'), {frames: 4, size: 256, seed: 1})
    await writeSmallMovie(join(data, 'movie_2.mrc'), {frames: 4, size: 256, seed: 2})
    const controller = await startController(projects)
    running.push(controller)
    const settings = [
      `acquisition.inputFolder=${data}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0', 'picking.diameterMin=60',
      'picking.diameterMax=90', 'motion.patchesX=1', 'motion.patchesY=1', 'preview.enabled=false',
    ].flatMap((s) => ['--set', s])
    const created = await runProgram('controller', ['create-project', '--name', 'rerun', '--dir', projects, '--json', ...settings])
    expect(created.code, created.stderr).toBe(0)
    const {token} = JSON.parse(created.stdout) as {token: string}
    expect((await runProgram('controller', ['schedule-project', '--name', 'rerun', '--dir', projects])).code).toBe(0)
    const agent = spawnProgram('agent', [
      'start', '--controller', `ws://127.0.0.1:${controller.port}`, '--token', token, '--project', 'rerun',
      '--state', join(root, 'agent-state'), '--out', join(root, 'out'), '--threads', '2', '--system-interval', '0',
    ])
    running.push(agent)
    await waitFor('both movies processed', async () => ((await controllerStatus(projects, 'rerun')).movies.processed === 2 ? true : undefined), 120_000, 500)

    const rerun = await runProgram('controller', ['rerun', '--name', 'rerun', '--dir', projects, '--step', 'ctf', '--set', 'ctf.defocusMax=40000', '--micrographs', 'movie_1.mrc', '--json'])
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(JSON.parse(rerun.stdout)).toMatchObject({id: 1, revision: 2, steps: ['ctf', 'picking'], movies: ['movie_1.mrc'], delivered: true})

    const trace = await waitFor(
      'ctf and picking v2 of movie_1',
      async () => {
        const t = await provenance(projects, 'movie_1.mrc')
        return t.runs.filter((r) => r.version === 2 && r.state === 'done').length === 2 ? t : undefined
      },
      120_000,
      500,
    )
    expect(trace.runs.map((r) => [r.step, r.version, r.current])).toEqual([
      ['motion', 1, true],
      ['ctf', 1, false],
      ['ctf', 2, true],
      ['picking', 1, false],
      ['picking', 2, true],
    ])
    expect(trace.origin.checksum).toBe(`sha256:${createHash('sha256').update(readFileSync(join(data, 'movie_1.mrc'))).digest('hex')}`)
    const ctf = (version: number) => trace.runs.find((r) => r.step === 'ctf' && r.version === version)!
    expect(ctf(1).parameters?.maxDefocus).toBe(50000)
    expect(ctf(2).parameters?.maxDefocus).toBe(40000)
    expect(trace.exported.find((r) => r.step === 'ctf')?.version).toBe(2)
    const other = await provenance(projects, 'movie_2.mrc')
    expect(other.runs.every((r) => r.version === 1)).toBe(true)
    agent.child.kill('SIGTERM')
    controller.child.kill('SIGTERM')
    await Promise.all([agent.exited, controller.exited])
  }, 300_000)
})
