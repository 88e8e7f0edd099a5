// `agent doctor` for a step that runs as SLURM jobs: the SLURM commands the executor calls are
// on PATH, slurmctld answers, and the step's partition exists and is up. The step's GPUs are
// the job's, so a GPU program needs executor.gpus, not GPUs on this machine.
import {execa} from 'execa'
import {findCommand} from '../steps/external/executable.js'

export interface SlurmStepSettings {
  kind?: string
  partition?: string
  gpus?: number
}

/** The commands agent/executors/slurm calls. */
const SLURM_COMMANDS = ['sbatch', 'squeue', 'scancel', 'sinfo']
const SINFO_TIMEOUT_MS = 20_000

/** `sinfo -h -o %P|%a` lines: partition name (the default marked with "*") and whether it is up. */
export function parsePartitions(text: string): {name: string; isDefault: boolean; up: boolean}[] {
  return text
    .split('\n')
    .filter((line) => line.includes('|'))
    .map((line) => {
      const [name, availability] = line.trim().split('|')
      return {name: name.replace(/\*$/, ''), isDefault: name.endsWith('*'), up: availability === 'up'}
    })
}

export async function slurmProblems(executor: SlurmStepSettings, program: {id: string; gpu: boolean}): Promise<string[]> {
  const problems: string[] = []
  if (program.gpu && !(executor.gpus && executor.gpus > 0)) problems.push(`${program.id} runs on a GPU: give the step's SLURM jobs GPUs (executor.gpus)`)
  const missing = SLURM_COMMANDS.filter((c) => !findCommand(c))
  if (missing.length) return [...problems, `SLURM command(s) ${missing.join(', ')} not found on PATH (install the SLURM client)`]
  const sinfo = await execa('sinfo', ['-h', '-o', '%P|%a'], {reject: false, timeout: SINFO_TIMEOUT_MS})
  if (sinfo.exitCode !== 0) return [...problems, `sinfo failed: ${(sinfo.stderr || sinfo.stdout).trim() || `exit ${sinfo.exitCode}`} (is slurmctld reachable?)`]
  const partitions = parsePartitions(sinfo.stdout)
  const wanted = executor.partition ? partitions.find((p) => p.name === executor.partition) : partitions.find((p) => p.isDefault)
  if (!wanted) {
    const has = partitions.map((p) => p.name).join(', ') || 'none'
    problems.push(executor.partition ? `SLURM partition "${executor.partition}" does not exist (has ${has})` : `SLURM has no default partition: set executor.partition (has ${has})`)
  } else if (!wanted.up) {
    problems.push(`SLURM partition "${wanted.name}" is not up`)
  }
  return problems
}
