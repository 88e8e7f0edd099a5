// The sbatch script of one job: #SBATCH lines from the step's executor settings, the setup
// lines, then the job entry (job-entry.ts) on the job's tasks. Values that go into #SBATCH
// lines are checked again here (the workflow schema checked them first), so a script can never
// carry a newline or a space a value smuggled in.
import type {SlurmExecutorSettings} from '../../../core/workflow/types.js'
import {SBATCH_OPTION_PATTERN, SLURM_MEMORY_PATTERN, SLURM_NAME_PATTERN, SLURM_TIME_PATTERN} from '../../../core/workflow/executor.js'
import {LOG_PATTERN} from './job-files.js'

export class SlurmTemplateError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`executor.${field}: ${problem}`)
    this.name = 'SlurmTemplateError'
  }
}

export interface JobScriptSpec {
  settings: SlurmExecutorSettings
  /** sbatch --job-name: letters, digits, _ . - */
  name: string
  /** The job's command line (absolute paths); each word is quoted for the shell. */
  command: string[]
}

/** Single-quotes a word for sh. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

function checked(field: string, value: string, pattern: string): string {
  if (!new RegExp(pattern).test(value)) throw new SlurmTemplateError(field, `${JSON.stringify(value)} does not match ${pattern}`)
  return value
}

/** The #SBATCH options, in the order sbatch --help lists them. */
export function sbatchOptions(spec: JobScriptSpec): string[] {
  const s = spec.settings
  const options = [`--job-name=${checked('name', spec.name, SLURM_NAME_PATTERN)}`, `--output=${LOG_PATTERN}`]
  if (s.partition !== undefined) options.push(`--partition=${checked('partition', s.partition, SLURM_NAME_PATTERN)}`)
  if (s.account !== undefined) options.push(`--account=${checked('account', s.account, SLURM_NAME_PATTERN)}`)
  if (s.qos !== undefined) options.push(`--qos=${checked('qos', s.qos, SLURM_NAME_PATTERN)}`)
  options.push('--nodes=1', '--ntasks=1', `--cpus-per-task=${positiveInteger('cpus', s.cpus)}`)
  if (s.gpus > 0) options.push(`--gpus=${positiveInteger('gpus', s.gpus)}`)
  options.push(`--mem=${checked('mem', s.mem, SLURM_MEMORY_PATTERN)}`, `--time=${checked('time', s.time, SLURM_TIME_PATTERN)}`)
  // Pre-empted or node-failed jobs are requeued by SLURM with their tasks; the entry skips the ones done.
  options.push('--requeue')
  s.sbatchArgs.forEach((arg, i) => options.push(checked(`sbatchArgs[${i}]`, arg, SBATCH_OPTION_PATTERN)))
  return options
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new SlurmTemplateError(field, `must be a whole number, got ${value}`)
  return value
}

export function renderJobScript(spec: JobScriptSpec): string {
  return [
    '#!/bin/bash',
    `# emstream ${spec.name}: written by the agent's SLURM executor; sbatch it from this folder to run it again.`,
    ...sbatchOptions(spec).map((option) => `#SBATCH ${option}`),
    'set -e',
    ...spec.settings.setup,
    `exec ${spec.command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n')
}
