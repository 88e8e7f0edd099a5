// agent doctor on SLURM steps: the commands, slurmctld and the partition (against the local
// SLURM .ci/run starts), and GPU programs asking the job for GPUs instead of this machine.
import {afterEach, describe, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {diagnose} from './diagnose.js'
import {parsePartitions} from './slurm.js'

const savedPath = process.env.PATH
afterEach(() => {
  process.env.PATH = savedPath
})

const onSlurm = (executor: object, motion: object = {}) => ({
  file: 'w.json',
  steps: {motion: {program: 'builtin', ...motion, executor: {kind: 'slurm', ...executor}}, ctf: {program: 'builtin'}, picking: {enabled: false}},
})
const motionProblems = async (w: ReturnType<typeof onSlurm>) => (await diagnose({gpus: [], workflow: w})).workflow!.steps[0].problems.join('; ')

describe('agent doctor on SLURM steps', () => {
  it("reads sinfo's partitions, the default marked", () => {
    expect(parsePartitions('debug*|up\ngpu|down\n\n')).toEqual([
      {name: 'debug', isDefault: true, up: true},
      {name: 'gpu', isDefault: false, up: false},
    ])
  })

  it('says the SLURM client is missing', async () => {
    process.env.PATH = '/nonexistent'
    expect(await motionProblems(onSlurm({}))).toMatch(/SLURM command\(s\) sbatch, squeue, scancel, sinfo not found on PATH/)
  })

  describeWithTools({commands: ['sinfo', 'sbatch', 'squeue', 'scancel']}, 'with a running SLURM', () => {
    it("accepts the default or a named partition, names one that does not exist, and asks a GPU program's jobs for GPUs", async () => {
      expect(await motionProblems(onSlurm({}))).toBe('')
      expect(await motionProblems(onSlurm({partition: 'no-such-partition'}))).toMatch(/SLURM partition "no-such-partition" does not exist \(has \w+/)
      // MotionCor2 on SLURM: no local GPU ids needed, the job's GPUs are.
      const gpuProgram = await motionProblems(onSlurm({gpus: 0}, {program: 'motioncor2', executable: process.execPath}))
      expect(gpuProgram).toMatch(/motioncor2 runs on a GPU: give the step's SLURM jobs GPUs \(executor\.gpus\)/)
      expect(gpuProgram).not.toMatch(/GPU id|motion\.gpus/)
      expect(await motionProblems(onSlurm({gpus: 1}, {program: 'motioncor2', executable: process.execPath}))).toBe('')
    })
  })
})
