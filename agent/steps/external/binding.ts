// How a workflow step runs on an external program: the built-in binding's inputs and options
// (so both read the workflow the same way), handed to the program's adapter (index.ts) with
// the external settings: executable, granted GPU ids, extra arguments, timeout.
import type {Workflow} from '../../../core/workflow/types.js'
import {BindingError} from '../../pipeline/bindings.js'
import type {StepBinding} from '../../pipeline/pipeline.js'
import type {ResourceRequest} from '../../pipeline/resources.js'
import {EXTERNAL_PROGRAMS, type ExternalProgramId} from './programs.js'
import {defaultExternalSettings, type ExternalSettings} from './settings.js'

type AdaptedStep = 'motion' | 'ctf' | 'picking'
type AdaptedSection = Workflow[AdaptedStep]

interface Adapter {
  id: ExternalProgramId
  entry: string
  /** Settings beyond ExternalSettings this adapter needs from the workflow. */
  extra?: (workflow: Workflow, gpuIds: number[]) => Record<string, unknown>
}

/** The workflow's program names (core/workflow/schema.ts choices) and the adapter each runs. */
const ADAPTERS: Record<AdaptedStep, Record<string, Adapter>> = {
  motion: {
    relion: {
      id: 'relion-motioncorr',
      entry: 'correctMotionWithRelion',
      // On GPUs, RELION drives MotionCor2; on CPU it runs its own implementation.
      extra: (_w, gpuIds) => ({driveMotionCor2: gpuIds.length > 0}),
    },
    motioncor2: {id: 'motioncor2', entry: 'correctMotionWithMotionCor2'},
    motioncor3: {id: 'motioncor3', entry: 'correctMotionWithMotionCor3'},
  },
  ctf: {
    ctffind: {id: 'ctffind', entry: 'estimateCtfWithCtffind'},
    'relion-ctffind': {id: 'relion-ctffind', entry: 'estimateCtfWithRelionCtffind'},
    gctf: {id: 'gctf', entry: 'estimateCtfWithGctf'},
  },
  picking: {
    'relion-log': {
      id: 'relion-log',
      entry: 'pickParticlesWithRelionLog',
      extra: (w) => ({
        lowpass: w.picking.lowpass,
        voltage: w.acquisition.voltage,
        sphericalAberration: w.acquisition.sphericalAberration,
        amplitudeContrast: w.acquisition.amplitudeContrast,
      }),
    },
    cryolo: {
      id: 'cryolo',
      entry: 'pickParticlesWithCryolo',
      // validate.ts requires config and weights for program "cryolo".
      extra: (w) => ({config: w.picking.cryolo.config, weights: w.picking.cryolo.weights, threshold: w.picking.cryolo.threshold}),
    },
  },
}

export function externalAdapter(step: AdaptedStep, program: string): Adapter | undefined {
  return ADAPTERS[step][program]
}

export function adaptedPrograms(step: AdaptedStep): string[] {
  return Object.keys(ADAPTERS[step])
}

function entryModule(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return new URL(`./index.${ext}`, import.meta.url).href
}

/** GPU ids a workflow's steps ask for (`agent process` gives them to its pool). */
export function workflowGpuIds(workflow: Workflow): number[] {
  const ids = [...workflow.motion.gpus, ...workflow.ctf.gpus, ...(workflow.picking.enabled ? workflow.picking.gpus : [])]
  return [...new Set(ids)].sort((a, b) => a - b)
}

/** Runs that may hold one GPU at once: 1 unless the workflow allows sharing (resources.jobsPerGpu). */
export function workflowJobsPerGpu(workflow: Workflow): number {
  return workflow.resources.allowGpuSharing ? workflow.resources.jobsPerGpu : 1
}

/**
 * GPUs one run of the step holds: one of the step's `gpus` per movie for a GPU program (or
 * RELION driving MotionCor2); the pool hands concurrent runs distinct ids unless sharing is allowed.
 */
function gpuRequest(section: AdaptedSection, adapter: Adapter): ResourceRequest {
  const wantsGpu = EXTERNAL_PROGRAMS[adapter.id].gpu || adapter.id === 'relion-motioncorr'
  return wantsGpu && section.gpus.length > 0 ? {cpu: 0, gpu: 1, gpuIds: section.gpus} : {cpu: 0, gpu: 0}
}

/**
 * The step run by the workflow's external program. `builtin` makes the built-in binding for a
 * workflow whose step says "builtin" (so it reads the same settings, inputs and outputs).
 */
export function externalBinding(workflow: Workflow, step: AdaptedStep, builtin: (workflow: Workflow) => StepBinding): StepBinding {
  const section = workflow[step]
  const adapter = externalAdapter(step, section.program)
  if (!adapter) throw new BindingError(`${step}.program`, `"${section.program}" has no adapter; choose one of builtin, ${adaptedPrograms(step).join(', ')}`)
  const base = builtin({...workflow, [step]: {...section, program: 'builtin'}})
  return {
    ...base,
    program: section.program,
    resources: {...gpuRequest(section, adapter), cpu: base.resources.cpu},
    call: (movie, results, grant) => {
      const prepared = base.call(movie, results, grant)
      const settings: ExternalSettings = {
        ...defaultExternalSettings,
        ...(section.executable ? {executable: section.executable} : {}),
        gpuIds: grant.gpuIds,
        extraArgs: section.extraArgs,
        timeoutSeconds: section.timeoutSeconds,
        ...adapter.extra?.(workflow, grant.gpuIds),
      }
      return {
        call: {module: entryModule(), entry: adapter.entry, args: [...prepared.call.args, settings], cancellable: true},
        parameters: {...prepared.parameters, program: section.program, external: settings},
      }
    },
  }
}
