// `agent process`: the per-movie pipeline on given files at once, no watching and no
// controller, to check settings on one movie before a session. State lives in a temporary
// folder; results come from the state records as the steps finish.
import {mkdtempSync, rmSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import type {CtfResult, MotionResult, PickResult} from '../../core/results/index.js'
import type {Workflow} from '../../core/workflow/types.js'
import {bindWorkflow} from '../pipeline/bindings.js'
import {LocalState} from '../pipeline/local-state.js'
import type {StepFailure, StepName} from '../pipeline/movie.js'
import {Pipeline} from '../pipeline/pipeline.js'
import {ResourcePool} from '../pipeline/resources.js'
import {workflowGpuIds, workflowJobsPerGpu} from '../steps/external/binding.js'
import {StepRunner} from '../pipeline/step-runner.js'
import {describeMovie} from '../watch/movie-kind.js'

export interface ProcessOptions {
  inputs: string[]
  outDir: string
  workflow: Workflow
  steps?: StepName[]
  cpuThreads?: number
  software: string
  /** Per step, after its first attempt fails: try again this many times in all. */
  attempts?: number
}

export type ProcessOutcome =
  | {
      input: string
      ok: true
      micrograph?: string
      motion?: {shifts: [number, number][]; totalMotion: number; earlyMotion: number; lateMotion: number}
      ctf?: Pick<CtfResult, 'defocusU' | 'defocusV' | 'defocusAngle' | 'phaseShift' | 'resolution' | 'figureOfMerit'>
      picking?: {count: number; coordinates: [number, number][]; coordinatesFile: string}
    }
  | {input: string; ok: false; error: StepFailure}

/** Runs every input through the steps; one outcome per input, in input order. */
export async function processFiles(options: ProcessOptions): Promise<ProcessOutcome[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'emstream-process-'))
  const threads = options.cpuThreads ?? Math.max(1, availableParallelism())
  const runner = new StepRunner(threads)
  const state = LocalState.open(stateDir)
  const results = new Map<string, Partial<Record<StepName, unknown>>>()
  state.setHooks({
    stamp: () => undefined,
    written: (record) => {
      if (record.t === 'step-done') results.set(record.id, {...results.get(record.id), [record.step]: record.result})
    },
  })
  try {
    const pipeline = new Pipeline({
      state,
      steps: bindWorkflow({workflow: options.workflow, revision: 1, outDir: resolve(options.outDir), only: options.steps}),
      pool: new ResourcePool(threads, workflowGpuIds(options.workflow), workflowJobsPerGpu(options.workflow)),
      executor: runner,
      attempts: options.attempts ?? 1,
      softwareVersion: options.software,
    })
    const ids = uniqueIds(options.inputs)
    for (const [i, input] of options.inputs.entries()) {
      const path = resolve(input)
      const {format, kind} = await describeMovie(path)
      pipeline.add({id: ids[i], path, foundAt: Date.now(), size: 0, mtimeMs: 0, format, kind})
    }
    await pipeline.idle()
    return options.inputs.map((input, i) => {
      const movie = state.get(ids[i])!
      if (movie.status === 'failed') return {input, ok: false, error: movie.failure!}
      return outcome(input, results.get(ids[i]) ?? {}, movie.path)
    })
  } finally {
    await runner.close()
    state.close()
    rmSync(stateDir, {recursive: true, force: true})
  }
}

/** Movie ids: the file name, or the given path where two inputs share a name. */
function uniqueIds(inputs: string[]): string[] {
  const names = inputs.map((i) => basename(i))
  return inputs.map((input, i) => (names.indexOf(names[i]) === names.lastIndexOf(names[i]) ? names[i] : input.replace(/^\/+/, '')))
}

function outcome(input: string, r: Partial<Record<StepName, unknown>>, path: string): ProcessOutcome {
  const motion = r.motion as MotionResult | undefined
  const ctf = r.ctf as CtfResult | undefined
  const picking = r.picking as PickResult | undefined
  return {
    input,
    ok: true,
    micrograph: motion?.micrograph ?? path,
    ...(motion && {
      motion: {shifts: motion.shifts, totalMotion: motion.totalMotion, earlyMotion: motion.earlyMotion, lateMotion: motion.lateMotion},
    }),
    ...(ctf && {
      ctf: {
        defocusU: ctf.defocusU,
        defocusV: ctf.defocusV,
        defocusAngle: ctf.defocusAngle,
        phaseShift: ctf.phaseShift,
        resolution: ctf.resolution,
        figureOfMerit: ctf.figureOfMerit,
      },
    }),
    ...(picking && {picking: {count: picking.count, coordinates: picking.coordinates, coordinatesFile: picking.coordinatesFile}}),
  }
}

/** One line for a person: what each step found. */
export function describeOutcome(o: ProcessOutcome): string {
  if (!o.ok) return `${o.input}: FAILED at ${o.error.step}: ${o.error.message}`
  const parts = [`micrograph ${o.micrograph}`]
  if (o.motion) parts.push(`motion total ${o.motion.totalMotion.toFixed(2)} px (early ${o.motion.earlyMotion.toFixed(2)}, late ${o.motion.lateMotion.toFixed(2)})`)
  if (o.ctf) {
    parts.push(
      `defocus ${(o.ctf.defocusU / 1e4).toFixed(3)}/${(o.ctf.defocusV / 1e4).toFixed(3)} um at ${o.ctf.defocusAngle.toFixed(1)} deg, ` +
        `fit to ${o.ctf.resolution.toFixed(1)} A (FOM ${o.ctf.figureOfMerit.toFixed(3)})`,
    )
  }
  if (o.picking) parts.push(`${o.picking.count} particles -> ${o.picking.coordinatesFile}`)
  return `${o.input}: ok; ${parts.join('; ')}`
}
