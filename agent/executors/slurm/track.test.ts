import {describe, expect, it} from 'vitest'
import {outcomeOf, parseSacct, parseSqueue} from './track.js'

describe('SLURM job tracking', () => {
  it('reads squeue -O output: state, reason and restart count per job', () => {
    const jobs = parseSqueue('12|RUNNING|None|0|\n13|PENDING|BeginTime|1|\n\n')
    expect(jobs.get('12')).toEqual({state: 'RUNNING', reason: 'None', restarts: 0})
    expect(jobs.get('13')).toEqual({state: 'PENDING', reason: 'BeginTime', restarts: 1})
    expect(jobs.size).toBe(2)
  })

  it('reads sacct -P output, dropping "by <uid>" from the state', () => {
    const jobs = parseSacct('40|CANCELLED by 1000|None\n41|TIMEOUT|None\n')
    expect(jobs.get('40')?.state).toBe('CANCELLED')
    expect(jobs.get('41')?.state).toBe('TIMEOUT')
  })

  it('resubmits after failures, time-outs and pre-emption, not after a cancel', () => {
    for (const state of ['PENDING', 'RUNNING', 'COMPLETING', 'REQUEUED']) expect(outcomeOf(state)).toBe('active')
    for (const state of ['FAILED', 'TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'OUT_OF_MEMORY', 'COMPLETED']) expect(outcomeOf(state)).toBe('resubmit')
    expect(outcomeOf('CANCELLED')).toBe('cancelled')
  })
})
