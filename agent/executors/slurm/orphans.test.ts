// Which job folders count as a dead agent's: only this host's, only other pids, only dead ones,
// each once. (Cancelling them on a real SLURM is in slurm.test.ts; processAlive is core/system's.)
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {markAbandoned, writeSubmitted} from './job-files.js'
import {findOrphanedJobs} from './orphans.js'

const dir = mkdtempSync(join(tmpdir(), 'slurm-orphans-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function job(name: string, owner: {jobId: string; host?: string; pid: number}): string {
  const jobDir = join(dir, name)
  mkdirSync(jobDir, {recursive: true})
  writeSubmitted(jobDir, {host: hostname(), at: 0, ...owner})
  return jobDir
}

describe('findOrphanedJobs', () => {
  it("finds this host's jobs of dead agents under the step, skipping live, own, foreign and handled ones", () => {
    job('motion-a-0', {jobId: '11', pid: 1001})
    job('motion-b-0', {jobId: '12', pid: 1002})
    job('motion-c-0', {jobId: '13', pid: process.pid})
    job('motion-d-0', {jobId: '14', pid: 1001, host: 'another-node'})
    markAbandoned(job('motion-e-0', {jobId: '15', pid: 1001}), {state: 'CANCELLED', cancelled: true})
    job('ctf-a-0', {jobId: '16', pid: 1001})
    mkdirSync(join(dir, 'motion-f-0')) // sbatch never answered: no owner
    const alive = (pid: number) => pid === 1002
    expect(findOrphanedJobs(dir, 'motion', alive).map((o) => o.jobId)).toEqual(['11'])
    expect(findOrphanedJobs(dir, 'ctf', alive).map((o) => o.jobId)).toEqual(['16'])
    expect(findOrphanedJobs(join(dir, 'missing'), 'motion', alive)).toEqual([])
  })
})
