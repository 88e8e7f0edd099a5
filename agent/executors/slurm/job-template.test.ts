import {describe, expect, it} from 'vitest'
import type {SlurmExecutorSettings} from '../../../core/workflow/types.js'
import {renderJobScript, sbatchOptions, shellQuote, SlurmTemplateError} from './job-template.js'

const settings: SlurmExecutorSettings = {
  kind: 'slurm',
  partition: 'gpu',
  account: 'cryo-em_1',
  cpus: 8,
  gpus: 2,
  mem: '32G',
  time: '1-02:00:00',
  moviesPerJob: 4,
  batchWaitSeconds: 10,
  maxJobs: 20,
  resubmissions: 3,
  pollSeconds: 10,
  setup: ['module load nodejs/20'],
  sbatchArgs: ['--constraint=a100'],
}

describe('SLURM job script', () => {
  it('asks for the partition, account, CPUs, GPUs, memory and time of the settings', () => {
    expect(sbatchOptions({settings, name: 'emstream-motion', command: []})).toEqual([
      '--job-name=emstream-motion',
      '--output=slurm-%j.out',
      '--partition=gpu',
      '--account=cryo-em_1',
      '--nodes=1',
      '--ntasks=1',
      '--cpus-per-task=8',
      '--gpus=2',
      '--mem=32G',
      '--time=1-02:00:00',
      '--requeue',
      '--constraint=a100',
    ])
  })

  it('leaves out what is not set and asks for no GPU when gpus is 0', () => {
    const options = sbatchOptions({settings: {...settings, partition: undefined, account: undefined, gpus: 0}, name: 'n', command: []})
    expect(options.some((o) => /--partition|--account|--gpus/.test(o))).toBe(false)
  })

  it('runs the setup lines, then the command with every word quoted', () => {
    const script = renderJobScript({settings, name: 'emstream-ctf', command: ['/usr/bin/node', "/data/it's here/entry.js"]})
    const lines = script.trimEnd().split('\n')
    expect(lines[0]).toBe('#!/bin/bash')
    expect(lines.slice(-2)).toEqual(['module load nodejs/20', `exec '/usr/bin/node' '/data/it'\\''s here/entry.js'`])
  })

  it('refuses a value that would break out of its #SBATCH line, naming the field', () => {
    const bad = {...settings, partition: 'gpu\n#SBATCH --uid=0'}
    expect(() => renderJobScript({settings: bad, name: 'n', command: []})).toThrow(SlurmTemplateError)
    expect(() => renderJobScript({settings: bad, name: 'n', command: []})).toThrow(/executor\.partition/)
    expect(() => sbatchOptions({settings: {...settings, time: '2h'}, name: 'n', command: []})).toThrow(/executor\.time/)
    expect(() => sbatchOptions({settings: {...settings, sbatchArgs: ['--x=1 --y=2']}, name: 'n', command: []})).toThrow(/sbatchArgs\[0\]/)
  })

  it('quotes words for sh', () => {
    expect(shellQuote("a'b c")).toBe(`'a'\\''b c'`)
  })
})
