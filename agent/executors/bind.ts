// A step binding on its workflow executor: unchanged for "local" (the agent's worker threads),
// or run through a SlurmExecutor for "slurm". A SLURM step holds no local resources: it gets
// the job's CPUs as its thread count and the job's GPUs as ids 0..gpus-1 (SLURM maps them).
import {join} from 'node:path'
import type {ExecutorSettings, SlurmExecutorSettings} from '../../core/workflow/types.js'
import type {StepBinding} from '../pipeline/pipeline.js'
import {SlurmExecutor, type SlurmExecutorOptions} from './slurm/executor.js'

export interface ExecutorContext {
  /** The agent's output root; SLURM job folders default to <outDir>/.slurm. */
  outDir: string
  log?: SlurmExecutorOptions['log']
  onEvent?: SlurmExecutorOptions['onEvent']
}

export function withExecutor(binding: StepBinding, settings: ExecutorSettings | undefined, context: ExecutorContext): StepBinding {
  if (!settings || settings.kind === 'local') return binding
  const slurm = settings as SlurmExecutorSettings
  const executor = new SlurmExecutor({
    settings: slurm,
    step: binding.name,
    workDir: slurm.workDir ?? join(context.outDir, '.slurm'),
    log: context.log,
    onEvent: context.onEvent,
  })
  const jobGrant = {cpu: slurm.cpus, gpuIds: Array.from({length: slurm.gpus}, (_, i) => i)}
  return {
    ...binding,
    resources: {cpu: 0, gpu: 0},
    executor,
    call: (movie, results) => binding.call(movie, results, jobGrant),
  }
}
