// agent doctor's checks: programs found where the user said (workflow, RELION_*_EXECUTABLE,
// PATH) with their versions, GPUs from nvidia-smi's CSV, and a workflow's verdict.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {FAKE_BIN, fake} from '../steps/external/test-support.js'
import {diagnose, formatReport, programStatus} from './diagnose.js'
import {parseNvidiaSmi} from './gpus.js'

const savedPath = process.env.PATH
const gpu0 = {index: 0, name: 'NVIDIA H200', memoryMiB: 143771, driver: '550.54'}
const gpuWorkflow = {
  file: 'w.json',
  steps: {motion: {program: 'motioncor2', executable: 'MotionCor2', gpus: [0]}, ctf: {program: 'ctffind', executable: 'ctffind'}, picking: {program: 'builtin'}},
}

beforeEach(() => {
  process.env.PATH = `${FAKE_BIN}:${savedPath}`
})
afterEach(() => {
  process.env.PATH = savedPath
})

describe('agent doctor', () => {
  it('finds a program by RELION_*_EXECUTABLE before PATH and asks its version', async () => {
    const status = await programStatus('ctffind', undefined, {PATH: '/nonexistent', RELION_CTFFIND_EXECUTABLE: fake('ctffind')})
    expect(status).toMatchObject({found: true, path: fake('ctffind'), source: 'env RELION_CTFFIND_EXECUTABLE', version: '4.1.14'})
    expect((await programStatus('gctf', undefined, {PATH: '/nonexistent'})).found).toBe(false)
  })

  it('says a GPU workflow can run when its programs and GPU ids are here', async () => {
    const report = await diagnose({gpus: [gpu0], workflow: gpuWorkflow})
    expect(report.workflow?.canRun).toBe(true)
    expect(report.programs.find((p) => p.id === 'motioncor2')).toMatchObject({found: true, version: '1.6.4'})
    expect(formatReport(report)).toMatch(/can run on this machine/)
  })

  it('says what is missing: the GPU ids, an executable, an unknown program', async () => {
    const report = await diagnose({
      gpus: [],
      gpuProblem: 'nvidia-smi not found',
      workflow: {file: 'w.json', steps: {...gpuWorkflow.steps, ctf: {program: 'ctffind', executable: '/opt/none/ctffind'}, picking: {program: 'topaz'}}},
    })
    expect(report.workflow?.canRun).toBe(false)
    const problems = Object.fromEntries(report.workflow!.steps.map((s) => [s.step, s.problems.join('; ')]))
    expect(problems.motion).toMatch(/GPU id\(s\) 0 asked for but not on this machine \(no GPUs found\)/)
    expect(problems.ctf).toMatch(/ctffind not found \(looked for "\/opt\/none\/ctffind"\)/)
    expect(problems.picking).toMatch(/no adapter for "topaz"/)
    expect(formatReport(report)).toMatch(/CANNOT run/)
  })

  it('says RELION on GPUs needs MotionCor2, and RELION on CPU does not', async () => {
    process.env.PATH = savedPath
    const steps = (gpus: number[]) => ({motion: {program: 'relion', gpus}, ctf: {program: 'builtin'}, picking: {program: 'builtin'}})
    const onGpu = await diagnose({gpus: [gpu0], workflow: {file: 'w.json', steps: steps([0])}})
    expect(onGpu.workflow?.steps[0].problems.join('; ')).toMatch(/relion-motioncorr needs motioncor2/)
    const onCpu = await diagnose({gpus: [], workflow: {file: 'w.json', steps: steps([])}})
    expect(onCpu.workflow?.steps[0].problems.join('; ')).not.toMatch(/motioncor2|GPU/)
  })

  it('reads nvidia-smi CSV', () => {
    expect(parseNvidiaSmi('0, NVIDIA H200, 143771, 550.54\n1, NVIDIA A100-SXM4-80GB, 81920, 550.54\n')).toEqual([
      gpu0,
      {index: 1, name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920, driver: '550.54'},
    ])
    expect(parseNvidiaSmi('No devices were found\n')).toEqual([])
  })
})
