// `agent doctor`: which external programs this machine has (where found, which version), its
// GPUs, and, for a workflow, whether every step can run here and what is missing.
import {locateProgram} from '../steps/external/executable.js'
import {externalAdapter, adaptedPrograms} from '../steps/external/binding.js'
import {EXTERNAL_PROGRAMS, type ExternalProgramId} from '../steps/external/programs.js'
import {programVersion} from '../steps/external/version.js'
import type {GpuInfo} from './gpus.js'
import {slurmProblems, type SlurmStepSettings} from './slurm.js'

export interface ProgramStatus {
  id: ExternalProgramId
  step: string
  found: boolean
  path?: string
  source?: string
  version?: string
  gpu: boolean
}

/** The parts of a workflow step doctor reads. */
export interface StepSection {
  program?: string
  executable?: string
  gpus?: number[]
  executor?: SlurmStepSettings
}

/** The parts of a workflow document doctor reads (raw JSON: templates may hold placeholders). */
export interface WorkflowSteps {
  motion?: StepSection
  ctf?: StepSection
  picking?: StepSection & {enabled?: boolean}
}

export interface StepVerdict {
  step: 'motion' | 'ctf' | 'picking'
  program: string
  ok: boolean
  problems: string[]
}

export interface DoctorReport {
  programs: ProgramStatus[]
  gpus: GpuInfo[]
  gpuProblem?: string
  workflow?: {file: string; canRun: boolean; steps: StepVerdict[]}
}

export async function programStatus(id: ExternalProgramId, configured?: string, env: NodeJS.ProcessEnv = process.env): Promise<ProgramStatus> {
  const info = EXTERNAL_PROGRAMS[id]
  const found = locateProgram(info, configured, env)
  if (!found) return {id, step: info.step, found: false, gpu: info.gpu}
  return {id, step: info.step, found: true, path: found.path, source: found.source, version: await programVersion(info, found.path), gpu: info.gpu}
}

async function stepVerdict(step: StepVerdict['step'], section: StepSection, gpus: GpuInfo[]): Promise<StepVerdict> {
  const program = section.program ?? 'builtin'
  const onSlurm = section.executor?.kind === 'slurm'
  if (program === 'builtin') {
    const problems = onSlurm ? await slurmProblems(section.executor!, {id: 'builtin', gpu: false}) : []
    return {step, program, ok: problems.length === 0, problems}
  }
  const adapter = externalAdapter(step, program)
  if (!adapter) return {step, program, ok: false, problems: [`no adapter for "${program}" (choose builtin, ${adaptedPrograms(step).join(', ')})`]}
  const problems: string[] = []
  const status = await programStatus(adapter.id, section.executable)
  const info = EXTERNAL_PROGRAMS[adapter.id]
  if (!status.found) {
    const where = section.executable ? `"${section.executable}"` : `${info.commands.join(' / ')} on PATH, or $${info.envVars.join(' / $')}`
    problems.push(`${adapter.id} not found (looked for ${where})`)
  }
  const wanted = section.gpus ?? []
  // relion_run_motioncorr on GPUs drives MotionCor2 (binding.ts).
  const needs = [...(info.needs ?? []), ...(adapter.id === 'relion-motioncorr' && wanted.length ? (['motioncor2'] as const) : [])]
  for (const needed of needs) if (!(await programStatus(needed)).found) problems.push(`${adapter.id} needs ${needed}, which is not installed`)
  if (onSlurm) problems.push(...(await slurmProblems(section.executor!, {id: adapter.id, gpu: info.gpu})))
  else problems.push(...localGpuProblems(step, adapter.id, info.gpu, wanted, gpus))
  return {step, program, ok: problems.length === 0, problems}
}

/** A step run by this agent uses GPU ids of this machine. */
function localGpuProblems(step: string, id: string, needsGpu: boolean, wanted: number[], gpus: GpuInfo[]): string[] {
  const problems: string[] = []
  const present = new Set(gpus.map((g) => g.index))
  const absent = wanted.filter((i) => !present.has(i))
  if (absent.length) problems.push(`GPU id(s) ${absent.join(', ')} asked for but not on this machine (${gpus.length ? `has ${[...present].join(', ')}` : 'no GPUs found'})`)
  if (needsGpu && wanted.length === 0) problems.push(`${id} runs on a GPU: give the step GPU ids (${step}.gpus)`)
  return problems
}

export async function diagnose(options: {gpus: GpuInfo[]; gpuProblem?: string; workflow?: {file: string; steps: WorkflowSteps}}): Promise<DoctorReport> {
  const ids = Object.keys(EXTERNAL_PROGRAMS) as ExternalProgramId[]
  const report: DoctorReport = {programs: await Promise.all(ids.map((id) => programStatus(id))), gpus: options.gpus}
  if (options.gpuProblem) report.gpuProblem = options.gpuProblem
  if (options.workflow) {
    const s = options.workflow.steps
    const steps = await Promise.all([
      stepVerdict('motion', s.motion ?? {}, options.gpus),
      stepVerdict('ctf', s.ctf ?? {}, options.gpus),
      ...(s.picking?.enabled === false ? [] : [stepVerdict('picking', s.picking ?? {}, options.gpus)]),
    ])
    report.workflow = {file: options.workflow.file, canRun: steps.every((v) => v.ok), steps}
  }
  return report
}

export function formatReport(r: DoctorReport): string {
  const lines = ['External programs:']
  for (const p of r.programs) {
    lines.push(p.found ? `  ok       ${p.id.padEnd(18)} ${p.version ?? ''}  ${p.path} (${p.source})` : `  missing  ${p.id.padEnd(18)} (${p.step}${p.gpu ? ', GPU' : ''})`)
  }
  lines.push('GPUs:')
  if (r.gpus.length === 0) lines.push(`  none${r.gpuProblem ? `: ${r.gpuProblem}` : ''}`)
  for (const g of r.gpus) lines.push(`  ${g.index}: ${g.name}, ${g.memoryMiB} MiB, driver ${g.driver}`)
  if (r.workflow) {
    lines.push(`Workflow ${r.workflow.file}: ${r.workflow.canRun ? 'can run on this machine' : 'CANNOT run on this machine'}`)
    for (const v of r.workflow.steps) {
      lines.push(`  ${v.ok ? 'ok ' : 'NO '} ${v.step.padEnd(8)} ${v.program}`)
      for (const p of v.problems) lines.push(`       - ${p}`)
    }
  }
  return lines.join('\n')
}
