import {describe, expect, it} from 'vitest'
import {checkWorkflow} from './validate.js'

const base = {acquisition: {inputFolder: '/data', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1}}

function check(executor: unknown, step = 'motion') {
  return checkWorkflow({...base, [step]: {executor}})
}

describe('workflow step executor', () => {
  it('is absent (the agent runs the step) unless a step asks for one', () => {
    const result = checkWorkflow(base)
    expect(result.ok && result.workflow.motion.executor).toBeUndefined()
  })

  it('fills the SLURM defaults in', () => {
    const result = check({kind: 'slurm', partition: 'gpu', account: 'em-facility', gpus: 1}, 'preview')
    if (!result.ok) throw new Error(JSON.stringify(result.issues))
    expect(result.workflow.preview.executor).toEqual({
      kind: 'slurm',
      partition: 'gpu',
      account: 'em-facility',
      gpus: 1,
      cpus: 1,
      mem: '4G',
      time: '0:30:00',
      moviesPerJob: 4,
      batchWaitSeconds: 10,
      maxJobs: 20,
      resubmissions: 3,
      pollSeconds: 10,
      setup: [],
      sbatchArgs: [],
    })
  })

  it('accepts every SLURM time format', () => {
    for (const time of ['30', '30:00', '1:30:00', '2-12', '2-12:30', '2-12:30:00']) expect(check({kind: 'slurm', time}).ok, time).toBe(true)
  })

  it('names the field of a bad partition, time, memory or sbatch option, with the value', () => {
    const result = check({kind: 'slurm', partition: 'gpu nodes', time: '2h', mem: '8GB', sbatchArgs: ['--qos=high\n#SBATCH --uid=0']}, 'ctf')
    expect(result.ok).toBe(false)
    const issues = result.ok ? [] : result.issues
    expect(issues.map((i) => i.field).sort()).toEqual(['ctf.executor.mem', 'ctf.executor.partition', 'ctf.executor.sbatchArgs[0]', 'ctf.executor.time'])
    expect(issues.find((i) => i.field === 'ctf.executor.time')?.problem).toMatch(/SLURM time limit .*\(got "2h"\)/)
    expect(issues.find((i) => i.field === 'ctf.executor.partition')?.problem).toMatch(/partition name .*\(got "gpu nodes"\)/)
  })

  it('refuses an unknown executor kind', () => {
    const result = check({kind: 'pbs'})
    expect(result.ok ? [] : result.issues.map((i) => i.field)).toContain('motion.executor.kind')
  })
})
