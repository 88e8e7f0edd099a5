// SLURM executor: scheduling latency per job (sbatch to the job's first line) and the wall time
// of a batch of quick movies with 1 movie per job against 4 per job, on the SLURM that
// scripts/slurm/start-local-slurm.sh starts. Per-job cost here is SLURM's scheduling plus
// node + tsx start-up in the job; on a busy cluster the queue wait adds to it.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SlurmExecutor, type SlurmJobEvent} from '../../agent/executors/slurm/executor.js'

const MOVIES = Number(process.env.SLURM_BENCH_MOVIES ?? 12)
const steps = new URL('../../agent/executors/slurm/fixtures/steps.ts', import.meta.url).href

function slurmAnswers(): boolean {
  try {
    return /idle|mixed|allocated/.test(execFileSync('sinfo', ['-h', '-o', '%T'], {encoding: 'utf8'}))
  } catch {
    return false
  }
}

async function run(moviesPerJob: number, workDir: string) {
  const events: SlurmJobEvent[] = []
  const executor = new SlurmExecutor({
    settings: {kind: 'slurm', cpus: 1, gpus: 0, mem: '1G', time: '10', moviesPerJob, batchWaitSeconds: 0.2, maxJobs: 50, resubmissions: 0, pollSeconds: 0.3, setup: [], sbatchArgs: []},
    step: `bench${moviesPerJob}`,
    workDir,
    onEvent: (e) => events.push(e),
  })
  const start = performance.now()
  await Promise.all(Array.from({length: MOVIES}, (_, i) => executor.run({module: steps, entry: 'slowStep', args: [`m${i}`, 0], cancellable: true})))
  const wallS = (performance.now() - start) / 1000
  const latencies = events.filter((e) => e.type === 'started').map((e) => (e as {latencyMs: number}).latencyMs / 1000)
  const jobs = events.filter((e) => e.type === 'submitted').length
  return {moviesPerJob, jobs, wallS, meanLatencyS: latencies.reduce((a, b) => a + b, 0) / latencies.length, maxLatencyS: Math.max(...latencies)}
}

if (!slurmAnswers()) {
  console.log('skipped: no SLURM answers (run scripts/slurm/start-local-slurm.sh as root)')
  process.exit(0)
}
const dir = mkdtempSync(join(tmpdir(), 'slurm-bench-'))
try {
  const one = await run(1, join(dir, 'one'))
  const four = await run(4, join(dir, 'four'))
  for (const r of [one, four]) {
    console.log(
      `${MOVIES} movies, ${r.moviesPerJob} per job: ${r.jobs} jobs, wall ${r.wallS.toFixed(1)} s (${((r.wallS / MOVIES) * 1000).toFixed(0)} ms/movie), ` +
        `sbatch-to-start latency mean ${r.meanLatencyS.toFixed(2)} s, max ${r.maxLatencyS.toFixed(2)} s`,
    )
  }
  console.log(`4 movies per job vs 1: ${(one.wallS / four.wallS).toFixed(2)}x faster wall time, ${(one.jobs / four.jobs).toFixed(1)}x fewer jobs`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
