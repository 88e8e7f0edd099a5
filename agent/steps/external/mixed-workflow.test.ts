// A workflow that mixes programs through the real pipeline (`agent process`'s processFiles):
// MotionCor2 on a GPU slot (the fake, fixtures/external/bin), built-in CTF, RELION LoG
// picking (real relion_autopick).
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {validateWorkflow} from '../../../core/workflow/index.js'
import {fixedMovieOptions, simulateMovie} from '../../../scripts/simulator/index.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {processFiles} from '../../runtime/process-files.js'
import {bindWorkflow} from '../../pipeline/bindings.js'
import {ResourcePool} from '../../pipeline/resources.js'
import {workflowGpuIds} from './binding.js'
import {fake, scratch} from './test-support.js'

let dir: string
beforeAll(async () => {
  dir = await scratch('mixed')
  const movie = simulateMovie(fixedMovieOptions({width: 256, height: 256, frames: 6, pixelSize: 2, dosePerFrame: 5}))
  await writeMrc(join(dir, 'mov_0001.mrc'), movie.frames, {width: 256, height: 256, pixelSize: 2})
})
afterAll(() => rm(dir, {recursive: true, force: true}))

function workflow(motion: Record<string, unknown>) {
  return validateWorkflow({
    acquisition: {inputFolder: dir, pixelSize: 2, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 5},
    motion,
    ctf: {program: 'builtin', boxSize: 128, minResolution: 30, maxResolution: 8, defocusMin: 5000, defocusMax: 40000},
    picking: {program: 'relion-log', diameterMin: 100, diameterMax: 160},
    preview: {enabled: false},
  })
}

describeWithTools({commands: ['relion_autopick']}, 'a workflow mixing external and built-in programs', () => {
  it('runs MotionCor2 on a GPU slot, built-in CTF and RELION LoG picking', async () => {
    process.env.FAKE_MC2_ARGV = join(dir, 'argv.json')
    try {
      const w = workflow({program: 'motioncor2', executable: fake('MotionCor2'), gpus: [1]})
      const [outcome] = await processFiles({inputs: [join(dir, 'mov_0001.mrc')], outDir: join(dir, 'out'), workflow: w, software: 'emstream test'})
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.error))
      expect(outcome.motion?.shifts).toHaveLength(6)
      expect(outcome.ctf?.defocusU).toBeGreaterThan(0)
      expect(outcome.picking?.coordinatesFile).toMatch(/mov_0001_autopick\.star$/)
      const argv = JSON.parse(await readFile(process.env.FAKE_MC2_ARGV, 'utf8')) as string[]
      expect(argv.slice(argv.indexOf('-Gpu') + 1)).toEqual(['1'])
    } finally {
      delete process.env.FAKE_MC2_ARGV
    }
  })

  it('asks for one GPU per MotionCor2 run and none for RELION on CPU', () => {
    const [motion, ctf, picking] = bindWorkflow({workflow: workflow({program: 'motioncor2', gpus: [0, 1]}), revision: 1, outDir: dir})
    expect(motion.resources.gpu).toBe(1)
    expect(ctf.program).toBe('builtin')
    expect(picking.program).toBe('relion-log')
    const [relionCpu] = bindWorkflow({workflow: workflow({program: 'relion'}), revision: 1, outDir: dir})
    expect(relionCpu.resources.gpu).toBe(0)
  })

  it('gives concurrent GPU runs distinct GPU ids from the workflow\'s list', () => {
    const w = workflow({program: 'motioncor2', gpus: [1, 0]})
    const [motion] = bindWorkflow({workflow: w, revision: 1, outDir: dir})
    const pool = new ResourcePool(8, workflowGpuIds(w))
    const first = pool.take(motion.resources)
    const second = pool.take(motion.resources)
    expect([...first.gpuIds, ...second.gpuIds].sort()).toEqual([0, 1])
    expect(pool.fits(motion.resources)).toBe(false)
    pool.give(first)
    expect(pool.take(motion.resources).gpuIds).toEqual(first.gpuIds)
  })
})
