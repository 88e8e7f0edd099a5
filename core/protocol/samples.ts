// Well-formed example events of one movie's life, for tests and benchmarks on both sides.
import type {AgentEvent, StepRun} from './events.js'
import type {EventMessage} from './messages.js'

const run = (program: string, startedAt: number): StepRun => ({
  program,
  version: '1.0',
  argv: [],
  parameters: {},
  startedAt,
  endedAt: startedAt + 1500,
  exitStatus: 0,
  stderrTail: '',
  host: 'gpu-pc-1',
})

/** movieFound, then motion, ctf and picking started + finished, as an agent would report them. */
export function sampleMovieEvents(movie: string, at = 1_750_000_000_000, frames = 40): AgentEvent[] {
  const base = movie.replace(/\.[^.]+$/, '')
  const shifts = Array.from({length: frames}, (_, i) => [i === 0 ? 0 : -0.4 * i, 0.25 * i] as [number, number])
  return [
    {kind: 'movieFound', movie, path: `/data/in/${movie}`, sizeBytes: 1_234_567_890, format: 'tiff', modifiedAt: at},
    {kind: 'stepStarted', movie, step: 'motion', version: 1, program: 'builtin', attempt: 1},
    {
      kind: 'stepFinished',
      movie,
      step: 'motion',
      version: 1,
      result: {micrograph: `/data/out/${base}.mrc`, pixelSize: 0.83, shifts, totalMotion: 18.2, earlyMotion: 6.1, lateMotion: 12.1, frames, dosePerFrame: 1.1},
      outputs: [`/data/out/${base}.mrc`],
      run: run('builtin', at),
    },
    {kind: 'stepStarted', movie, step: 'ctf', version: 1, program: 'builtin', attempt: 1},
    {
      kind: 'stepFinished',
      movie,
      step: 'ctf',
      version: 1,
      result: {defocusU: 15230, defocusV: 14810, defocusAngle: 33.5, phaseShift: 0, resolution: 3.9, figureOfMerit: 0.21},
      outputs: [`/data/out/${base}_psd.mrc`],
      run: run('builtin', at + 2000),
    },
    {kind: 'stepStarted', movie, step: 'picking', version: 1, program: 'builtin', attempt: 1},
    {
      kind: 'stepFinished',
      movie,
      step: 'picking',
      version: 1,
      result: {count: 3, coordinates: [[100, 200], [400, 420], [800, 90]], scores: [1.2, 0.9, 0.7], coordinatesFile: `/data/out/${base}_autopick.star`},
      outputs: [`/data/out/${base}_autopick.star`],
      run: run('builtin', at + 4000),
    },
  ]
}

/** Wraps events into numbered event messages of one agent, seq from firstSeq. */
export function asEventMessages(agentId: string, events: AgentEvent[], firstSeq = 1, at = 1_750_000_000_000): EventMessage[] {
  return events.map((event, i) => ({type: 'event', agentId, seq: firstSeq + i, at: at + i, event}))
}
