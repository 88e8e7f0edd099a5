// Cancelling a step that runs an external program kills the program's process, whether the
// pipeline is stopped or its step runner (worker threads) is closed.
import {chmod, readFile, rm, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {validateWorkflow} from '../../../core/workflow/index.js'
import {bindWorkflow} from '../../pipeline/bindings.js'
import {LocalState} from '../../pipeline/local-state.js'
import {Pipeline} from '../../pipeline/pipeline.js'
import {ResourcePool} from '../../pipeline/resources.js'
import {StepRunner} from '../../pipeline/step-runner.js'
import {scratch} from './test-support.js'

let dir: string
let executable: string
let moviePath: string
beforeAll(async () => {
  dir = await scratch('cancel')
  // Test-only stand-in for a long GPU run: answers --version, then records its pid and never ends.
  executable = join(dir, 'MotionCor2')
  await writeFile(
    executable,
    `#!/usr/bin/env node
const fs = require('node:fs')
if (process.argv.includes('--version')) { console.log('MotionCor2 version 1.6.4'); process.exit(0) }
fs.writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(process.pid))
setInterval(() => {}, 60000)
`,
  )
  await chmod(executable, 0o755)
  moviePath = join(dir, 'mov.mrc')
  await writeMrc(moviePath, [new Float32Array(64 * 64), new Float32Array(64 * 64)], {width: 64, height: 64, pixelSize: 1})
})
afterAll(() => rm(dir, {recursive: true, force: true}))

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts the hanging program through the pipeline's motion step; resolves with its pid once it runs. */
async function startHangingRun(name: string) {
  await rm(join(dir, 'pid'), {force: true})
  const workflow = validateWorkflow({
    acquisition: {inputFolder: dir, pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    motion: {program: 'motioncor2', executable, gpus: [0]},
    ctf: {program: 'builtin'},
    preview: {enabled: false},
  })
  const runner = new StepRunner(1)
  const state = LocalState.open(join(dir, name, 'state'))
  const steps = bindWorkflow({workflow, revision: 1, outDir: join(dir, name, 'out'), only: ['motion']})
  const pipeline = new Pipeline({state, steps, pool: new ResourcePool(1, [0]), executor: runner, attempts: 1, softwareVersion: 'test'})
  pipeline.add({id: 'mov.mrc', path: moviePath, foundAt: Date.now(), size: 0, mtimeMs: 0, format: 'mrc', kind: 'movie'})
  await vi.waitFor(() => expect(existsSync(join(dir, 'pid'))).toBe(true), {timeout: 20_000, interval: 50})
  const pid = Number(await readFile(join(dir, 'pid'), 'utf8'))
  expect(isAlive(pid)).toBe(true)
  return {pid, pipeline, runner, state}
}

describe('cancelling an external program', () => {
  it('Pipeline.stop() kills the running program and leaves the step to be redone, not failed', async () => {
    const {pid, pipeline, runner, state} = await startHangingRun('stop')
    await pipeline.stop()
    expect(isAlive(pid)).toBe(false)
    expect(state.get('mov.mrc')?.status).toBe('queued')
    expect(state.get('mov.mrc')?.steps.motion?.failures ?? 0).toBe(0)
    await runner.close()
    state.close()
  }, 30_000)

  it('closing the step runner kills the program before its worker is terminated', async () => {
    const {pid, runner, state} = await startHangingRun('close')
    await runner.close()
    expect(isAlive(pid)).toBe(false)
    state.close()
  }, 30_000)
})
