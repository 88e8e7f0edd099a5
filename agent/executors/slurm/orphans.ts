// Jobs left in the queue by an agent that died (SIGKILL, power loss): its movies are processed
// again by the agent that takes over, so the old jobs would only burn the allocation. An agent
// cancels, when it starts, the jobs that an agent on this host submitted under the same step
// and whose process is gone. Jobs of live agents and of other hosts (a shared workDir) are left
// alone: a pid says nothing about another machine.
import {existsSync, readdirSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {processAlive} from '../../../core/system/process-alive.js'
import {isAbandoned, markAbandoned, readSubmitted, type JobOwner} from './job-files.js'
import {cancelJobs} from './submit.js'
import {outcomeOf, queryJobs} from './track.js'

export interface OrphanedJob {
  jobId: string
  dir: string
  owner: JobOwner
}

/** Job folders of `step` under `workDir` whose submitting agent (this host, another pid) is dead. */
export function findOrphanedJobs(workDir: string, step: string, alive: (pid: number) => boolean = processAlive): OrphanedJob[] {
  if (!existsSync(workDir)) return []
  const host = hostname()
  const orphans: OrphanedJob[] = []
  for (const name of readdirSync(workDir)) {
    if (!name.startsWith(`${step}-`)) continue
    const dir = join(workDir, name)
    const owner = readSubmitted(dir)
    if (!owner || owner.host !== host || owner.pid === process.pid || isAbandoned(dir) || alive(owner.pid)) continue
    orphans.push({jobId: owner.jobId, dir, owner})
  }
  return orphans
}

/** Cancels the orphans SLURM still runs or queues; every orphan is marked so it is looked at once. */
export async function cancelOrphanedJobs(workDir: string, step: string): Promise<OrphanedJob[]> {
  const orphans = findOrphanedJobs(workDir, step)
  if (orphans.length === 0) return []
  const statuses = await queryJobs(orphans.map((o) => o.jobId))
  const active = orphans.filter((o) => outcomeOf(statuses.get(o.jobId)?.state ?? 'UNKNOWN') === 'active')
  await cancelJobs(active.map((o) => o.jobId))
  for (const o of orphans) markAbandoned(o.dir, {state: statuses.get(o.jobId)?.state ?? 'UNKNOWN', cancelled: active.includes(o)})
  return active
}
