// The glue between a workflow and the step entry functions (agent/steps/*/index.ts): which
// steps apply to a movie, each step's options from the workflow's settings, the inputs each
// takes from the steps before it, and the resources it holds.
import {dirname, join} from 'node:path'
import type {CtfResult, MotionResult, PickResult} from '../../core/results/index.js'
import type {ExecutorSettings, Workflow} from '../../core/workflow/types.js'
import {defaultMotionOptions, type MotionOptions} from '../steps/motion/options.js'
import {defaultCtfOptions, type CtfOptions} from '../steps/ctf/options.js'
import {defaultPickOptions, type PickOptions} from '../steps/pick/options.js'
import {defaultPreviewOptions, type PreviewOptions} from '../steps/preview/options.js'
import type {MovieRecord, StepName} from './movie.js'
import type {StepBinding} from './pipeline.js'
import type {Grant} from './resources.js'
import {externalBinding} from '../steps/external/binding.js'
import {withExecutor, type ExecutorContext} from '../executors/bind.js'

export class BindingError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`workflow ${field}: ${problem}`)
    this.name = 'BindingError'
  }
}

export interface BindingContext {
  workflow: Workflow
  /** Workflow revision (the version of the results). */
  revision: number
  /** Root of the agent's output; each step writes to <out>/<step>/<movie's folder>. */
  outDir: string
  /** Only these steps (default: all the workflow enables). */
  only?: StepName[]
  /** Logs and events of steps that run on SLURM (workflow `executor`). */
  executors?: Omit<ExecutorContext, 'outDir'>
}

type Results = Partial<Record<StepName, unknown>>

/** Entry module of a built-in step, with the extension of the running code (.ts from sources, .js from dist). */
function stepModule(step: string): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return new URL(`../steps/${step}/index.${ext}`, import.meta.url).href
}

function stepOutDir(context: BindingContext, step: StepName, movie: MovieRecord): string {
  return join(context.outDir, step, dirname(movie.id))
}

function requireBuiltin(field: string, program: string): void {
  if (program !== 'builtin') throw new BindingError(field, `program "${program}" has no adapter in this agent yet; use "builtin"`)
}

/** The micrograph a step after motion works on: the aligned sum, or the input when it already is one. */
function micrographOf(movie: MovieRecord, results: Results, step: StepName): {path: string; pixelSize?: number} {
  const motion = results.motion as MotionResult | undefined
  if (motion) return {path: motion.micrograph, pixelSize: motion.pixelSize}
  if (movie.kind === 'micrograph') return {path: movie.path}
  throw new BindingError(`${step}`, `needs a motion-corrected micrograph: ${movie.id} is a movie and motion did not run`)
}

export function motionBinding(context: BindingContext): StepBinding {
  const {acquisition: a, motion: m} = context.workflow
  requireBuiltin('motion.program', m.program)
  return {
    name: 'motion',
    program: m.program,
    version: context.revision,
    applies: (movie) => movie.kind === 'movie',
    resources: {cpu: m.threads, gpu: 0},
    call: (movie, _results, grant: Grant) => {
      const options: MotionOptions = {
        ...defaultMotionOptions,
        pixelSize: a.pixelSize,
        voltage: a.voltage,
        dosePerFrame: a.dosePerFrame,
        preExposure: a.preExposure,
        gainReference: a.gainReference ?? '',
        gainRotation: a.gainRotation as MotionOptions['gainRotation'],
        gainFlip: a.gainFlip as MotionOptions['gainFlip'],
        defectFile: a.defectFile ?? '',
        bfactor: m.bfactor,
        patchesX: m.patchesX,
        patchesY: m.patchesY,
        groupFrames: m.groupFrames,
        binning: m.binning,
        firstFrame: m.firstFrame,
        lastFrame: m.lastFrame,
        maxIterations: m.maxIterations,
        doseWeighting: m.doseWeighting,
        saveNoDoseWeighting: m.saveNoDoseWeighting,
        threads: grant.cpu,
        eerGrouping: a.eerGrouping,
        eerUpsampling: a.eerUpsampling as MotionOptions['eerUpsampling'],
      }
      const outDir = stepOutDir(context, 'motion', movie)
      return {call: {module: stepModule('motion'), entry: 'correctMotion', args: [movie.path, outDir, options]}, parameters: {...options}}
    },
  }
}

export function ctfBinding(context: BindingContext): StepBinding {
  const {acquisition: a, ctf: c} = context.workflow
  requireBuiltin('ctf.program', c.program)
  return {
    name: 'ctf',
    program: c.program,
    version: context.revision,
    applies: () => true,
    resources: {cpu: c.threads, gpu: 0},
    call: (movie, results) => {
      const micrograph = micrographOf(movie, results, 'ctf')
      const options: CtfOptions = {
        ...defaultCtfOptions,
        pixelSize: micrograph.pixelSize ?? a.pixelSize,
        voltage: a.voltage,
        sphericalAberration: a.sphericalAberration,
        amplitudeContrast: a.amplitudeContrast,
        boxSize: c.boxSize,
        minResolution: c.minResolution,
        maxResolution: c.maxResolution,
        minDefocus: c.defocusMin,
        maxDefocus: c.defocusMax,
        defocusStep: c.defocusStep,
        findPhaseShift: c.findPhaseShift,
        minPhaseShift: c.phaseShiftMin,
        maxPhaseShift: c.phaseShiftMax,
        phaseShiftStep: c.phaseShiftStep,
      }
      const outDir = stepOutDir(context, 'ctf', movie)
      return {call: {module: stepModule('ctf'), entry: 'estimateCtf', args: [micrograph.path, outDir, options]}, parameters: {...options}}
    },
  }
}

export function pickingBinding(context: BindingContext): StepBinding {
  const {acquisition: a, picking: p} = context.workflow
  requireBuiltin('picking.program', p.program)
  return {
    name: 'picking',
    program: p.program,
    version: context.revision,
    applies: () => true,
    resources: {cpu: p.threads, gpu: 0},
    call: (movie, results) => {
      const micrograph = micrographOf(movie, results, 'picking')
      const options: PickOptions = {
        ...defaultPickOptions,
        pixelSize: micrograph.pixelSize ?? a.pixelSize,
        diameterMin: p.diameterMin,
        diameterMax: p.diameterMax,
        thresholdAdjust: p.threshold,
        maxPicks: p.maxParticles ?? null,
      }
      const outDir = stepOutDir(context, 'picking', movie)
      return {call: {module: stepModule('pick'), entry: 'pickParticles', args: [micrograph.path, outDir, options]}, parameters: {...options}}
    },
  }
}

export function previewBinding(context: BindingContext): StepBinding {
  const {acquisition: a, preview} = context.workflow
  return {
    name: 'preview',
    program: 'builtin',
    version: context.revision,
    applies: () => true,
    resources: {cpu: 1, gpu: 0},
    call: (movie, results) => {
      const micrograph = micrographOf(movie, results, 'preview')
      const input = {
        micrograph: micrograph.path,
        ...(results.ctf ? {ctf: results.ctf as CtfResult} : {}),
        ...(results.motion ? {motion: results.motion as MotionResult} : {}),
        ...(results.picking ? {picks: results.picking as PickResult} : {}),
      }
      const options: PreviewOptions = {
        ...defaultPreviewOptions,
        pixelSize: micrograph.pixelSize ?? a.pixelSize,
        voltage: a.voltage,
        sphericalAberration: a.sphericalAberration,
        amplitudeContrast: a.amplitudeContrast,
        maxWidth: preview.size,
      }
      const outDir = stepOutDir(context, 'preview', movie)
      return {call: {module: stepModule('preview'), entry: 'makePreviews', args: [input, outDir, options]}, parameters: {...options}}
    },
  }
}

/** The steps a workflow enables, in pipeline order (optionally only some of them). */
export function bindWorkflow(context: BindingContext): StepBinding[] {
  const w = context.workflow
  const wanted = (step: StepName, enabled = true) => enabled && (!context.only || context.only.includes(step))
  const bindings: StepBinding[] = []
  // A step with executor.kind "slurm" runs as SLURM jobs (agent/executors).
  const onExecutor = (binding: StepBinding, settings: ExecutorSettings | undefined) =>
    withExecutor(binding, settings, {outDir: context.outDir, ...context.executors})
  // A step whose program is not "builtin" runs on that program's adapter (agent/steps/external).
  const program = (step: 'motion' | 'ctf' | 'picking', builtin: (c: BindingContext) => StepBinding): StepBinding => {
    const section = w[step]
    const binding = section.program === 'builtin' ? builtin(context) : externalBinding(w, step, (workflow) => builtin({...context, workflow}))
    return onExecutor({...binding, retry: {retries: section.retries, backoffSeconds: section.retryBackoffSeconds}}, section.executor)
  }
  if (wanted('motion')) bindings.push(program('motion', motionBinding))
  if (wanted('ctf')) bindings.push(program('ctf', ctfBinding))
  if (wanted('picking', w.picking.enabled)) bindings.push(program('picking', pickingBinding))
  if (wanted('preview', w.preview.enabled)) bindings.push(onExecutor(previewBinding(context), w.preview.executor))
  return bindings
}
