// Monitors on a large project: one evaluation of every monitor (what the serving controller does
// every 5 s), a curation of every micrograph, and a RELION STAR export, against project.status()
// (the peer `controller status` runs) measured in the same run. Figures under CPU contention are
// pessimistic.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {curateProject} from '../../controller/curation/read.js'
import {exportRelion} from '../../controller/export/relion.js'
import {MonitorService} from '../../controller/monitors/service.js'
import {createProject} from '../../controller/project/create.js'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'

const MOVIES = Number(process.env.MONITORS_BENCH_MOVIES ?? 20_000)

function median(f: () => unknown, runs: number): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    f()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[runs >> 1]
}

const root = mkdtempSync(join(tmpdir(), 'monitors-bench-'))
try {
  const workflow = validateWorkflow({
    acquisition: {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    preview: {enabled: false},
    monitors: {system: {enabled: true}},
  })
  await createProject({projectsDir: root, name: 'bench', workflow})
  const project = await Project.open(projectLayout(root, 'bench'))
  project.schedule()
  const events = Array.from({length: MOVIES}, (_, i) => sampleMovieEvents(`Grid${i % 40}/movie_${i}.tiff`)).flat()
  for (const m of asEventMessages('agent-1', events)) project.ingest(m)
  await project.durable()
  const service = new MonitorService(project, {log: () => {}})
  service.evaluate()

  const evaluate = median(() => service.evaluate(), 21)
  const status = median(() => project.status(), 21)
  const curate = median(() => curateProject(project.db, workflow), 5)
  const t = performance.now()
  await exportRelion(project.db, workflow, {outDir: join(root, 'export')})
  const exported = performance.now() - t
  console.log(`${MOVIES} micrographs in the project`)
  console.log(`evaluate all monitors: ${evaluate.toFixed(1)} ms (median of 21); project.status(): ${status.toFixed(1)} ms; ratio ${(evaluate / status).toFixed(2)}`)
  console.log(`curate every micrograph: ${curate.toFixed(0)} ms (${((curate / MOVIES) * 1000).toFixed(1)} us per micrograph)`)
  console.log(`RELION export (STAR files, ${MOVIES} symlinks and coordinate copies): ${exported.toFixed(0)} ms`)
  await service.stop()
  await project.close()
} finally {
  rmSync(root, {recursive: true, force: true})
}
