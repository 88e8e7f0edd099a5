// A project database filled with plausible results for N micrographs (rows written directly,
// as the applier would), with tiny preview PNGs, pick STARs and micrograph headers on disk:
// for the report's tests and its 10,000-micrograph benchmark.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {encode} from 'fast-png'
import {formatCoordinateStar} from '../../agent/steps/pick/coords-star.js'
import {encodeMrc} from '../../core/formats/mrc-write.js'
import {loadWorkflow, type Workflow} from '../../core/workflow/index.js'
import {openDatabase, type Database} from '../../controller/project/database.js'
import {AGENT_OUTPUT_FOLDERS} from '../../controller/project/queries.js'
import {SCHEMA_SQL} from '../../controller/project/schema.js'

export interface SyntheticOptions {
  movies: number
  /** Folder for the agent-side files (previews, STARs, micrographs). */
  dir: string
  /** Movie file name of movie i (default `FoilHole_<i>_Data.tiff`). */
  name?: (i: number) => string
  /** Movies that failed in CTF. */
  failed?: number[]
  /** Movies whose CTF was fitted again (a rerun at version 2 with box 1024, a markup-laden note and a new fit). */
  rerunCtf?: number[]
  state?: 'running' | 'closed'
  /** Micrograph size (px) in the headers the picks refer to. */
  size?: number
  startedAt?: number
}

export interface SyntheticProject {
  db: Database
  workflow: Workflow
  startedAt: number
  /** Movie i was found at startedAt + i * intervalMs. */
  intervalMs: number
}

const FRAMES = 40

export async function syntheticProject(o: SyntheticOptions): Promise<SyntheticProject> {
  const {workflow} = await loadWorkflow('spa-builtin', {
    ask: false,
    settings: [`acquisition.inputFolder=${o.dir}/in`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=1.0', 'acquisition.voltage=300', 'acquisition.sphericalAberration=2.7', 'picking.diameterMin=120', 'picking.diameterMax=180'],
  })
  const db = await openDatabase()
  db.run(SCHEMA_SQL)
  const startedAt = o.startedAt ?? Date.UTC(2026, 0, 15, 8, 0, 0)
  const intervalMs = 30_000
  const size = o.size ?? 64
  db.run('INSERT INTO workflows VALUES (1, ?, ?)', [JSON.stringify(workflow), startedAt - 60_000])
  const end = startedAt + o.movies * intervalMs
  db.run('INSERT INTO sessions (id, state, workflow_revision, created_at, scheduled_at, started_at, input_closed_at, closed_at) VALUES (1, ?, 1, ?, ?, ?, ?, ?)', [
    o.state ?? 'running', startedAt - 60_000, startedAt - 30_000, startedAt, o.state === 'closed' ? end : null, o.state === 'closed' ? end : null,
  ])
  const files = join(o.dir, 'agent')
  mkdirSync(files, {recursive: true})
  // The agent's output folder, configured as create-project --agent-output would: the report reads previews only from there.
  db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [AGENT_OUTPUT_FOLDERS, JSON.stringify([files])])
  const png = encode({width: 8, height: 8, data: new Uint8Array(64).map((_, i) => (i * 37) % 256), channels: 1, depth: 8})
  const header = encodeMrc([new Float32Array(size * size)], {width: size, height: size, mode: 2, pixelSize: 1})
  const failed = new Set(o.failed ?? [])
  const rerun = new Set(o.rerunCtf ?? [])
  db.run('BEGIN')
  const insert = (sql: string) => db.prepare(sql)
  const movie = insert("INSERT INTO movies (id, movie, agent_id, path, found_at, state, failed_step, error, updated_at) VALUES (?, ?, 'a1', ?, ?, ?, ?, ?, ?)")
  const motion = insert(`INSERT INTO micrographs (movie_id, version, path, pixel_size, frames, dose_per_frame, total_motion, early_motion, late_motion, shifts, finished_at)
    VALUES (?, 1, ?, 1.0, ?, 1.0, ?, ?, ?, ?, ?)`)
  const ctf = insert(`INSERT INTO ctf (movie_id, version, defocus_u, defocus_v, defocus_angle, astigmatism, phase_shift, resolution, figure_of_merit, finished_at)
    VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`)
  const picks = insert('INSERT INTO particles (movie_id, version, count, coordinates_file, mean_score, mean_diameter, finished_at) VALUES (?, 1, ?, ?, 0.5, 150, ?)')
  const previews = insert('INSERT INTO previews (movie_id, version, micrograph_preview, psd_preview, finished_at) VALUES (?, 1, ?, ?, ?)')
  const run = insert("INSERT INTO step_runs (movie_id, step, version, state, attempt, agent_id, program, program_version, argv, parameters, started_at, ended_at, host) VALUES (?, ?, ?, ?, 1, 'a1', 'builtin', '0.1.0', ?, ?, ?, ?, 'scope-pc')")
  for (let i = 0; i < o.movies; i++) {
    const id = i + 1
    const name = o.name?.(i) ?? `FoilHole_${1000 + i}_Data.tiff`
    const at = startedAt + i * intervalMs
    const bad = failed.has(i)
    movie.run([id, name, `/data/in/${name}`, at, bad ? 'failed' : 'done', bad ? 'ctf' : null, bad ? `CTF fit failed on /data/out/${id}.mrc` : null, at + 20_000])
    const shifts = new Float32Array(2 * FRAMES)
    for (let f = 0; f < FRAMES; f++) (shifts[2 * f] = -f * 0.3 * (1 + (i % 3))), (shifts[2 * f + 1] = f * 0.2)
    const micrograph = join(files, `${id}.mrc`)
    motion.run([id, micrograph, FRAMES, 10 + (i % 7), 3 + (i % 5) * 0.5, 7 + (i % 4), new Uint8Array(shifts.buffer), at + 8_000])
    run.run([id, 'motion', 1, 'done', JSON.stringify(['builtin-motion', '--in', `/data/in/${name}`]), JSON.stringify({patches: [5, 5], bfactor: 150}), at + 1000, at + 8000])
    if (bad) {
      run.run([id, 'ctf', 1, 'failed', null, null, at + 8000, at + 9000])
      continue
    }
    const defocus = 8000 + ((i * 3137) % 20000)
    ctf.run([id, 1, defocus + 300 + (i % 9) * 40, defocus - 300, 30 + (i % 50), 600 + (i % 9) * 40, 3 + ((i * 7) % 50) / 10, 0.2 + (i % 10) / 20, at + 12_000])
    run.run([id, 'ctf', 1, 'done', null, JSON.stringify({box: 512}), at + 8000, at + 12_000])
    if (rerun.has(i)) {
      const later = end + 60_000 + i * 1000
      ctf.run([id, 2, defocus + 800, defocus + 200, 30, 600, 3, 0.5, later + 4000])
      run.run([id, 'ctf', 2, 'done', null, JSON.stringify({box: 1024, note: '<b>refit</b>'}), later, later + 4000])
    }
    const count = 50 + ((i * 13) % 200)
    const star = join(files, `${id}_picks.star`)
    picks.run([id, count, star, at + 15_000])
    run.run([id, 'picking', 1, 'done', null, JSON.stringify({diameter: [120, 180]}), at + 12_000, at + 15_000])
    const preview = join(files, `${id}_preview.png`)
    const psd = join(files, `${id}_psd.png`)
    previews.run([id, preview, psd, at + 18_000])
    writeFileSync(preview, png)
    writeFileSync(psd, png)
    writeFileSync(micrograph, header)
    writeFileSync(star, formatCoordinateStar(Array.from({length: Math.min(count, 20)}, (_, k) => ({x: (k * 7) % size, y: (k * 11) % size, figureOfMerit: 1}))))
  }
  for (const s of [movie, motion, ctf, picks, previews, run]) s.free()
  db.run("INSERT INTO alerts (at, monitor, severity, message, movie, value, threshold, resolved_at) VALUES (?, 'ctf-resolution', 'warning', 'Mean CTF resolution 6.1 A over the last 20 (threshold 5 A)', NULL, 6.1, 5, NULL)", [startedAt + 60_000])
  db.run("INSERT INTO alerts (at, monitor, severity, message, movie, value, threshold, resolved_at) VALUES (?, 'disk', 'critical', 'Disk /data is 97 % full', NULL, 97, 95, ?)", [startedAt + 30_000, startedAt + 90_000])
  for (let t = 0; t <= Math.min(o.movies, 200); t++) {
    db.run("INSERT INTO system_samples (agent_id, host, at, cpu_percent, load1, memory_used_bytes, memory_total_bytes, swap_used_bytes, disks, gpus, pipeline_queued, pipeline_running) VALUES ('a1', 'scope-pc', ?, ?, 1, ?, 64e9, 0, ?, ?, 0, 1)", [
      startedAt + t * intervalMs, 40 + (t % 30), 20e9 + t * 1e7, JSON.stringify([{path: '/data', freeBytes: 4e12 - t * 1e9, totalBytes: 8e12}]), JSON.stringify([{index: 0, name: 'GPU', utilizationPercent: 70 + (t % 20), memoryUsedBytes: 8e9, memoryTotalBytes: 24e9, temperatureC: 60}]),
    ])
  }
  db.run('COMMIT')
  return {db, workflow, startedAt, intervalMs}
}
