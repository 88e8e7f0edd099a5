// The RELION round trip: simulated movies through the real processing steps into a project, the
// export, then RELION itself reads the STAR files and extracts particles with our CTF and
// coordinates.
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {expect, it} from 'vitest'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../core/formats/star.js'
import type {AgentEvent, StepRun} from '../../core/protocol/index.js'
import {asEventMessages} from '../../core/protocol/samples.js'
import type {CtfResult, MotionResult, PickResult} from '../../core/results/index.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {estimateCtf} from '../../agent/steps/ctf/index.js'
import {defaultCtfOptions} from '../../agent/steps/ctf/options.js'
import {correctMotion} from '../../agent/steps/motion/index.js'
import {defaultMotionOptions} from '../../agent/steps/motion/options.js'
import {pickParticles} from '../../agent/steps/pick/index.js'
import {defaultPickOptions} from '../../agent/steps/pick/options.js'
import {writeSmallMovie} from '../../test/e2e/small-movie.js'
import {describeWithTools} from '../../test/support/system-tools.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {exportRelion} from './relion.js'

const exec = promisify(execFile)
const MOVIES = ['Grid1/m0.mrc', 'Grid1/m1.mrc']
const BOX = 192

const workflow = validateWorkflow({
  acquisition: {inputFolder: '/data/in', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1, dosePerFrame: 2},
  picking: {diameterMin: 120, diameterMax: 180},
  preview: {enabled: false},
})

const run = (program: string): StepRun => ({
  program, version: 'test', argv: [], parameters: {}, startedAt: 0, endedAt: 1, exitStatus: 0, stderrTail: '', host: 'test',
})

/** One movie through the real motion, CTF and picking steps, as the agent would report it. */
async function processMovie(root: string, movie: string, seed: number): Promise<{events: AgentEvent[]; ctf: CtfResult; picks: PickResult}> {
  const path = join(root, 'data', movie)
  mkdirSync(join(path, '..'), {recursive: true})
  await writeSmallMovie(path, {seed, frames: 8, size: 1024})
  const out = (step: string) => join(root, 'out', step, 'Grid1')
  const motion: MotionResult = await correctMotion(path, out('motion'), {...defaultMotionOptions, pixelSize: 1, dosePerFrame: 2, voltage: 300})
  const ctf = await estimateCtf(motion.micrograph, out('ctf'), {...defaultCtfOptions, pixelSize: motion.pixelSize, voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.1})
  const picks = await pickParticles(motion.micrograph, out('picking'), {...defaultPickOptions, pixelSize: motion.pixelSize, diameterMin: 120, diameterMax: 180})
  const finished = {movie, version: 1, outputs: [], kind: 'stepFinished' as const}
  const events: AgentEvent[] = [
    {kind: 'movieFound', movie, path, sizeBytes: 1, format: 'mrc', modifiedAt: 0},
    {...finished, step: 'motion', result: motion, run: run('builtin')},
    {...finished, step: 'ctf', result: ctf, run: run('builtin')},
    {...finished, step: 'picking', result: picks, run: run('builtin')},
  ]
  return {events, ctf, picks}
}

const records = (text: string, block: string) => loopRecords(blockLoop(findBlock(parseStar(text), block)!)!)

describeWithTools({commands: ['relion_preprocess', 'relion_star_handler', 'relion_refine']}, 'RELION export round trip', () => {
  it('relion_star_handler reads the export, relion_preprocess extracts every particle with our CTF, relion_refine classifies them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'relion-export-'))
    const processed = []
    for (const [i, movie] of MOVIES.entries()) processed.push(await processMovie(root, movie, 11 + i))
    await createProject({projectsDir: join(root, 'projects'), name: 'apo', workflow})
    const project = await Project.open(projectLayout(join(root, 'projects'), 'apo'))
    for (const m of asEventMessages('agent-1', processed.flatMap((p) => p.events))) project.ingest(m)
    const outDir = join(root, 'export')
    const summary = await exportRelion(project.db, workflow, {outDir})
    await project.close()
    expect(summary).toMatchObject({micrographs: 2, withCoordinates: 2, skipped: [], missing: []})

    const selected = join(outDir, 'selected.star')
    await exec('relion_star_handler', ['--i', 'micrographs_ctf.star', '--o', selected, '--select', 'rlnCtfMaxResolution', '--maxval', '1000'], {cwd: outDir})
    expect(records(readFileSync(selected, 'utf8'), 'micrographs')).toHaveLength(2)

    await exec('relion_preprocess', [
      ...summary.extractArgs, '--part_star', 'Extract/job004/particles.star', '--part_dir', 'Extract/job004/',
      '--extract_size', String(BOX), '--norm', '--bg_radius', String(BOX / 2 - 10), '--invert_contrast',
    ], {cwd: outDir})
    const particles = records(readFileSync(join(outDir, 'Extract/job004/particles.star'), 'utf8'), 'particles')
    const total = processed.reduce((n, p) => n + p.picks.count, 0)
    expect(total).toBeGreaterThan(0)
    expect(particles).toHaveLength(total)
    for (const [i, p] of processed.entries()) {
      const mine = particles.filter((r) => r.rlnMicrographName === `MotionCorr/job001/Movies/${MOVIES[i]}`)
      expect(mine).toHaveLength(p.picks.count)
      for (const r of mine) {
        expect(Number(r.rlnDefocusU)).toBeCloseTo(p.ctf.defocusU, 2)
        expect(Number(r.rlnDefocusV)).toBeCloseTo(p.ctf.defocusV, 2)
        expect(Number(r.rlnDefocusAngle)).toBeCloseTo(p.ctf.defocusAngle, 3)
      }
      const xs = mine.map((r) => Number(r.rlnCoordinateX)).sort((a, b) => a - b)
      expect(xs).toEqual(p.picks.coordinates.map(([x]) => x).sort((a, b) => a - b).map((x) => expect.closeTo(x, 3)))
    }

    // A tiny 2D classification starts from those particles (one iteration, two classes: a second or so).
    mkdirSync(join(outDir, 'Class2D/job005'), {recursive: true})
    await exec('relion_refine', [
      '--i', 'Extract/job004/particles.star', '--o', 'Class2D/job005/run', '--K', '2', '--iter', '1', '--tau2_fudge', '2',
      '--particle_diameter', '170', '--zero_mask', '--ctf', '--flatten_solvent', '--oversampling', '0', '--psi_step', '15',
      '--offset_range', '4', '--offset_step', '2', '--j', '1', '--pool', '10', '--dont_combine_weights_via_disc',
    ], {cwd: outDir})
    const classified = records(readFileSync(join(outDir, 'Class2D/job005/run_it001_data.star'), 'utf8'), 'particles')
    expect(classified).toHaveLength(total)
    expect(classified.every((r) => ['1', '2'].includes(r.rlnClassNumber))).toBe(true)
  }, 120_000)
})
