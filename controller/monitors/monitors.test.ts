import {describe, expect, it} from 'vitest'
import {validateWorkflow, type MonitorSettings} from '../../core/workflow/index.js'
import {evaluateMonitors} from './evaluate.js'
import type {Finding} from './finding.js'
import type {CtfRow, MonitorInput, MotionRow, SampleRow} from './input.js'
import {alertTransitions, type OpenAlert} from './transitions.js'

const T0 = 1_750_000_000_000
const MIN = 60_000
const GB = 1e9

function settings(monitors: object = {}): MonitorSettings {
  return validateWorkflow({
    acquisition: {inputFolder: '/data/in', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
    monitors: {system: {enabled: true}, ...monitors},
  }).monitors
}

function input(parts: Partial<MonitorInput> = {}): MonitorInput {
  return {
    now: T0, session: {state: 'running', startedAt: T0 - 10 * MIN, inputClosedAt: null}, inputFolder: '/data/in',
    ctf: [], motion: [], picks: [], outcomes: [], lastMovieFoundAt: T0 - MIN, moviesFoundLastHour: 10, samples: [], agents: [],
    ...parts,
  }
}

/** n CTF rows, newest first, with resolution from res(i) (i = 0 is the oldest). */
function ctfRows(n: number, res: (i: number) => number, extra: Partial<CtfRow> = {}): CtfRow[] {
  return Array.from({length: n}, (_, i) => ({
    movie: `m${i}.tiff`, at: T0 - (n - i) * MIN, defocusU: 15000, defocusV: 14500, astigmatism: 500, resolution: res(i), ...extra,
  })).reverse()
}

function motionRows(n: number, total: (i: number) => number, warnings: (i: number) => string[] = () => []): MotionRow[] {
  return Array.from({length: n}, (_, i) => ({movie: `m${i}.tiff`, at: T0 - (n - i) * MIN, totalMotion: total(i), earlyMotion: 2, warnings: warnings(i)})).reverse()
}

function sample(at: number, parts: Partial<SampleRow> = {}): SampleRow {
  return {
    agentId: 'a1', host: 'gpu-pc', at, cpuPercent: 40, load1: 4, memoryUsedBytes: 16 * GB, memoryTotalBytes: 64 * GB, swapUsedBytes: 0,
    disks: [{path: '/data/in', freeBytes: 5000 * GB, totalBytes: 10000 * GB}, {path: '/data/out', freeBytes: 2000 * GB, totalBytes: 4000 * GB}],
    gpus: [{index: 0, name: 'RTX', utilizationPercent: 80, memoryUsedBytes: 4 * GB, memoryTotalBytes: 24 * GB, temperatureC: 60}],
    pipelineRunning: 1, ...parts,
  }
}

const keys = (findings: Finding[]) => findings.map((f) => f.key).sort()
const byKey = (findings: Finding[], key: string) => findings.find((f) => f.key === key)!

describe('CTF monitor', () => {
  const s = settings({ctf: {window: 10, maxResolution: 8}})

  it('a run of bad micrographs is one alert that names them, resolves when the window is good again', () => {
    const run = ctfRows(10, (i) => (i >= 3 ? 12 : 4))
    const findings = evaluateMonitors(input({ctf: run}), s)
    expect(keys(findings)).toEqual(['ctf.resolution'])
    const f = byKey(findings, 'ctf.resolution')
    expect(f.severity).toBe('warning')
    expect(f.movies).toHaveLength(7)
    expect(f.message).toMatch(/median 12 A over the last 10 micrographs is above 8 A/)
    expect(f.since).toBe(run.find((r) => r.movie === 'm3.tiff')!.at)
    const recovered = ctfRows(10, (i) => (i === 9 ? 12 : 4))
    expect(keys(evaluateMonitors(input({ctf: recovered}), s))).toEqual(['ctf.resolution.outliers'])
  })

  it('single outliers are counted under their own informational key', () => {
    const f = evaluateMonitors(input({ctf: ctfRows(10, (i) => (i === 2 || i === 7 ? 15 : 4))}), s)
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({key: 'ctf.resolution.outliers', severity: 'info', value: 2, movies: ['m7.tiff', 'm2.tiff']})
  })

  it('checks astigmatism and both ends of the defocus range', () => {
    expect(keys(evaluateMonitors(input({ctf: ctfRows(5, () => 4, {astigmatism: 3000})}), s))).toEqual(['ctf.astigmatism'])
    expect(keys(evaluateMonitors(input({ctf: ctfRows(5, () => 4, {defocusU: 45000, defocusV: 44000})}), s))).toEqual(['ctf.defocusMax'])
    expect(keys(evaluateMonitors(input({ctf: ctfRows(5, () => 4, {defocusU: 900, defocusV: 500})}), s))).toEqual(['ctf.defocusMin'])
  })

  it('looks only at the newest `window` micrographs', () => {
    const oldBad = ctfRows(30, (i) => (i < 20 ? 20 : 4))
    expect(evaluateMonitors(input({ctf: oldBad}), s)).toEqual([])
  })
})

describe('motion, picking and gain monitors', () => {
  it('total and early drift', () => {
    const s = settings({motion: {maxTotalMotion: 30, maxEarlyMotion: 5, window: 5}})
    const rows = motionRows(5, () => 40).map((r) => ({...r, earlyMotion: 9}))
    const f = evaluateMonitors(input({motion: rows}), s)
    expect(keys(f)).toEqual(['motion.early', 'motion.total'])
    expect(byKey(f, 'motion.total').threshold).toBe(30)
  })

  it('particles per micrograph below the minimum', () => {
    const s = settings({picking: {minParticles: 50, window: 4}})
    const picks = [3, 10, 12, 80].map((count, i) => ({movie: `m${i}`, at: T0 - i * MIN, count}))
    expect(byKey(evaluateMonitors(input({picks}), s), 'picking.particles').message).toMatch(/median 11 over the last 4 micrographs is below 50/)
  })

  it('a wrongly oriented gain reference on most movies is critical; one movie is an outlier', () => {
    const s = settings({gain: {window: 6}})
    const warn = 'gain reference /g/gain.mrc looks wrongly oriented: rotation 1, flip 0 matches ...'
    const most = evaluateMonitors(input({motion: motionRows(6, () => 5, (i) => (i > 1 ? [warn] : []))}), s)
    expect(byKey(most, 'gain.orientation')).toMatchObject({severity: 'critical', value: 4})
    expect(byKey(most, 'gain.orientation').message).toContain('rotation 1, flip 0')
    const one = evaluateMonitors(input({motion: motionRows(6, () => 5, (i) => (i === 5 ? [warn] : []))}), s)
    expect(keys(one)).toEqual(['gain.orientation.outliers'])
  })

  it('residual gain statistics against Scipion\'s thresholds', () => {
    const s = settings({gain: {window: 3}})
    const rows = motionRows(3, () => 5).map((r) => ({...r, gainResidual: {std: 0.06, percentileRatio: 1.1, peakRatio: 6}}))
    expect(keys(evaluateMonitors(input({motion: rows}), s))).toEqual(['gain.peakRatio', 'gain.std'])
  })
})

describe('acquisition monitor', () => {
  const s = settings({acquisition: {maxIdleMinutes: 20, minMoviesPerHour: 30, minHoursUntilDiskFull: 6, maxFailureRate: 0.2, window: 10}})

  it('stalled after maxIdleMinutes without a movie, only while acquiring', () => {
    const stalled = evaluateMonitors(input({lastMovieFoundAt: T0 - 25 * MIN, moviesFoundLastHour: 40}), s)
    expect(byKey(stalled, 'acquisition.stalled')).toMatchObject({severity: 'critical', since: T0 - 25 * MIN, threshold: 20})
    expect(keys(evaluateMonitors(input({lastMovieFoundAt: T0 - 5 * MIN, moviesFoundLastHour: 40}), s))).toEqual([])
    const closed = input({lastMovieFoundAt: T0 - 25 * MIN, session: {state: 'running', startedAt: T0 - 2 * 60 * MIN, inputClosedAt: T0 - 30 * MIN}})
    expect(keys(evaluateMonitors(closed, s))).toEqual([])
  })

  it('movies per hour, once the session has run an hour', () => {
    const started = {state: 'running' as const, startedAt: T0 - 2 * 60 * MIN, inputClosedAt: null}
    expect(keys(evaluateMonitors(input({session: started, moviesFoundLastHour: 12}), s))).toEqual(['acquisition.rate'])
    expect(keys(evaluateMonitors(input({session: started, moviesFoundLastHour: 45}), s))).toEqual([])
    expect(keys(evaluateMonitors(input({moviesFoundLastHour: 12}), s))).toEqual([])
  })

  it('hours until the output disk is full, from the fill rate of the last hour (input disk ignored)', () => {
    // /data/out loses 100 GB in 30 min: 200 GB/h, 1000 GB left = 5 h < 6 h.
    const samples = [sample(T0, {disks: [{path: '/data/out', freeBytes: 1000 * GB, totalBytes: 4000 * GB}, {path: '/data/in/raw', freeBytes: 1 * GB, totalBytes: 9 * GB}]}),
      sample(T0 - 30 * MIN, {disks: [{path: '/data/out', freeBytes: 1100 * GB, totalBytes: 4000 * GB}, {path: '/data/in/raw', freeBytes: 900 * GB, totalBytes: 9 * GB}]})]
    const f = evaluateMonitors(input({samples}), settings({acquisition: {minHoursUntilDiskFull: 6}, system: {enabled: false}}))
    expect(keys(f)).toEqual(['acquisition.diskFull:gpu-pc:/data/out'])
    expect(byKey(f, 'acquisition.diskFull:gpu-pc:/data/out').value).toBeCloseTo(5, 6)
  })

  it('failure rate over the recent movies', () => {
    const outcomes = Array.from({length: 10}, (_, i) => ({movie: `m${i}`, at: T0 - i * MIN, failed: i < 3, error: i < 3 ? 'truncated file' : null}))
    const f = byKey(evaluateMonitors(input({outcomes}), s), 'acquisition.failures')
    expect(f.message).toMatch(/3 of the last 10 movies failed.*last error: truncated file/)
  })
})

describe('system monitor', () => {
  const s = settings({system: {enabled: true, maxCpuPercent: 90, maxMemoryPercent: 80, minDiskFreeGB: 100, maxGpuTemperature: 85, maxSwapGB: 2, maxLoadAverage: 32, minGpuUtilizationPercent: 10}})

  it('medians of the recent samples per host: one spike does not alert, a sustained level does', () => {
    const spike = [sample(T0, {cpuPercent: 100}), sample(T0 - MIN), sample(T0 - 2 * MIN)]
    expect(keys(evaluateMonitors(input({samples: spike}), s))).toEqual([])
    const busy = [0, 1, 2].map((i) => sample(T0 - i * MIN, {cpuPercent: 99, memoryUsedBytes: 60 * GB, swapUsedBytes: 5 * GB, load1: 40}))
    expect(keys(evaluateMonitors(input({samples: busy}), s))).toEqual(['system.cpu:gpu-pc', 'system.load:gpu-pc', 'system.memory:gpu-pc', 'system.swap:gpu-pc'])
  })

  it('free disk per folder and GPU temperature, memory and idle utilisation while busy', () => {
    const hot = sample(T0, {
      disks: [{path: '/data/out', freeBytes: 50 * GB, totalBytes: 4000 * GB}],
      gpus: [{index: 1, name: 'A100', utilizationPercent: 2, memoryUsedBytes: 39.9 * GB, memoryTotalBytes: 40 * GB, temperatureC: 91}],
    })
    const f = evaluateMonitors(input({samples: [hot]}), s)
    expect(keys(f)).toEqual(['system.disk:gpu-pc:/data/out', 'system.gpu.memory:gpu-pc:1', 'system.gpu.temperature:gpu-pc:1', 'system.gpu.utilization:gpu-pc:1'])
    expect(keys(evaluateMonitors(input({samples: [{...hot, pipelineRunning: 0}]}), s))).not.toContain('system.gpu.utilization:gpu-pc:1')
  })

  it('stale samples say nothing', () => {
    expect(evaluateMonitors(input({samples: [sample(T0 - 30 * MIN, {cpuPercent: 100})]}), s)).toEqual([])
  })
})

describe('agents monitor and transitions', () => {
  it('an agent silent for longer than maxSilenceSeconds while the session runs', () => {
    const s = settings({agents: {maxSilenceSeconds: 120}})
    const agents = [{agentId: 'a1', host: 'gpu-pc', lastSeenAt: T0 - 200_000}, {agentId: 'a2', host: null, lastSeenAt: T0 - 10_000}]
    const f = evaluateMonitors(input({agents}), s)
    expect(keys(f)).toEqual(['agents.silent:a1'])
    expect(f[0].message).toMatch(/Agent a1 on gpu-pc disconnected: nothing received for 200 s/)
    expect(evaluateMonitors(input({agents, session: {state: 'closed', startedAt: T0 - MIN, inputClosedAt: T0}}), s)).toEqual([])
  })

  it('an agent that refused the workflow, from scheduling on, whether or not it is silent', () => {
    const s = settings()
    const reason = 'step motion needs 1 GPU(s) but the agent has 0 of them (start the agent with --gpus)'
    const agents = [
      {agentId: 'a1', host: 'gpu-pc', lastSeenAt: T0 - 5000, refusal: {revision: 2, step: 'motion', reason, at: T0 - 60_000}},
      {agentId: 'a2', host: null, lastSeenAt: T0 - 5000},
    ]
    const scheduled = evaluateMonitors(input({agents, session: {state: 'scheduled', startedAt: null, inputClosedAt: null}}), s)
    expect(keys(scheduled)).toEqual(['agents.workflowRefused:a1'])
    expect(scheduled[0]).toMatchObject({severity: 'critical', since: T0 - 60_000, message: `Agent a1 on gpu-pc refused workflow revision 2 and processes nothing: ${reason}`})
    expect(keys(evaluateMonitors(input({agents}), s))).toEqual(['agents.workflowRefused:a1'])
    expect(evaluateMonitors(input({agents, session: {state: 'closed', startedAt: T0 - MIN, inputClosedAt: T0}}), s)).toEqual([])
    expect(evaluateMonitors(input({agents}), settings({agents: {enabled: false}}))).toEqual([])
  })

  it('fires new keys once, keeps open ones, resolves the vanished', () => {
    const open: OpenAlert[] = [{id: 1, key: 'a', severity: 'warning', message: 'x', at: T0}, {id: 2, key: 'b', severity: 'info', message: 'y', at: T0}]
    const finding = (key: string): Finding => ({key, severity: 'warning', message: key, since: T0})
    const t = alertTransitions(open, [finding('a'), finding('c'), finding('c')])
    expect(t.fired.map((f) => f.key)).toEqual(['c'])
    expect(t.resolved.map((a) => a.key)).toEqual(['b'])
  })
})
