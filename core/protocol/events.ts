// What an agent reports. Each event travels in an EventMessage with (agentId, seq); the controller
// applies it exactly once. Times are milliseconds since the Unix epoch; sizes are bytes.
import {Type, type Static} from '@sinclair/typebox'
import {CtfResultSchema, MotionResultSchema, PickResultSchema, PreviewResultSchema} from './results.js'

export const StepNameSchema = Type.Union([Type.Literal('motion'), Type.Literal('ctf'), Type.Literal('picking'), Type.Literal('preview')])

const Time = (description: string) => Type.Number({minimum: 0, description})
/** The movie's id: its path relative to the workflow's inputFolder (unique in a project). */
export const MovieIdSchema = Type.String({minLength: 1, maxLength: 4096})
const MovieId = MovieIdSchema
/** The step's processing version: the workflow revision it ran under (results upsert per (movie, step, version)). */
const StepVersion = Type.Integer({minimum: 1})

/** Provenance of one run of a step program. */
export const StepRunSchema = Type.Object({
  program: Type.String({minLength: 1, description: '"builtin" or the external program name'}),
  version: Type.String({description: 'the program version, as it reports it'}),
  argv: Type.Array(Type.String(), {description: 'command line of an external program; [] for builtin'}),
  parameters: Type.Record(Type.String(), Type.Unknown(), {description: 'the step options used'}),
  startedAt: Time('when the run started'),
  endedAt: Time('when the run ended'),
  exitStatus: Type.Union([Type.Integer(), Type.Null()], {description: 'process exit status; null when killed by a signal or builtin'}),
  stderrTail: Type.String({maxLength: 65536, description: 'last lines of the program error output'}),
  host: Type.String({description: 'agent host name'}),
  job: Type.Optional(Type.Object({
    scheduler: Type.Literal('slurm'),
    jobId: Type.String({pattern: '^[0-9]+$', maxLength: 32, description: "the scheduler's job id"}),
    node: Type.String({maxLength: 256, description: 'the node the job ran on ("" when it never said)'}),
  }, {description: 'the batch job that ran the step (absent: the agent ran it)'})),
})

/** Acquisition metadata from the movie's EPU XML or SerialEM .mdoc, as the agent read it. */
export const MovieSidecarSchema = Type.Object({
  file: Type.String({minLength: 1, maxLength: 4096, description: 'the sidecar file (path on the agent host)'}),
  format: Type.Union([Type.Literal('epu-xml'), Type.Literal('serialem-mdoc')]),
  nominalDefocus: Type.Optional(Type.Number({description: 'the defocus the microscope was set to (A, positive = underfocus)'})),
  totalDose: Type.Optional(Type.Number({minimum: 0, description: 'total exposure (e/A^2)'})),
  acquiredAt: Type.Optional(Type.String({minLength: 1, maxLength: 64, description: 'acquisition time as written (ISO 8601, no zone)'})),
  gridSquare: Type.Optional(Type.String({minLength: 1, maxLength: 64, description: "EPU's grid square (from its GridSquare_<n> folder)"})),
})

export const MovieFoundSchema = Type.Object({
  kind: Type.Literal('movieFound'),
  movie: MovieId,
  path: Type.String({minLength: 1, description: 'absolute path on the agent host'}),
  sizeBytes: Type.Integer({minimum: 0}),
  format: Type.Union([Type.Literal('mrc'), Type.Literal('tiff'), Type.Literal('eer')]),
  modifiedAt: Time('file modification time'),
  /** The file's bytes as found (provenance); absent from agents older than it. */
  checksum: Type.Optional(Type.String({pattern: '^sha256:[0-9a-f]{64}$', description: '"sha256:" and the hex digest'})),
  /** Present when a sidecar was read beside the movie. */
  sidecar: Type.Optional(MovieSidecarSchema),
})

export const StepStartedSchema = Type.Object({
  kind: Type.Literal('stepStarted'),
  movie: MovieId,
  step: StepNameSchema,
  version: StepVersion,
  program: Type.String({minLength: 1}),
  attempt: Type.Integer({minimum: 1}),
})

const finished = <S extends 'motion' | 'ctf' | 'picking' | 'preview', R extends typeof MotionResultSchema | typeof CtfResultSchema | typeof PickResultSchema | typeof PreviewResultSchema>(
  step: S,
  result: R,
) =>
  Type.Object({
    kind: Type.Literal('stepFinished'),
    movie: MovieId,
    step: Type.Literal(step),
    version: StepVersion,
    result,
    /** Every file the step wrote (paths on the agent host). */
    outputs: Type.Array(Type.String()),
    run: StepRunSchema,
  })

/** stepFinished, one schema per step so that the result shape is the step's. */
export const StepFinishedSchemas = {
  motion: finished('motion', MotionResultSchema),
  ctf: finished('ctf', CtfResultSchema),
  picking: finished('picking', PickResultSchema),
  preview: finished('preview', PreviewResultSchema),
}

export const StepFailedSchema = Type.Object({
  kind: Type.Literal('stepFailed'),
  movie: MovieId,
  step: StepNameSchema,
  version: StepVersion,
  error: Type.String({description: 'what went wrong, for the user'}),
  /** true when the agent will try again (the movie stays in flight). */
  willRetry: Type.Boolean(),
  attempt: Type.Integer({minimum: 1}),
  run: Type.Optional(StepRunSchema),
})

export const SystemSampleSchema = Type.Object({
  kind: Type.Literal('systemSample'),
  host: Type.String(),
  cpuPercent: Type.Number({minimum: 0}),
  loadAverage: Type.Tuple([Type.Number(), Type.Number(), Type.Number()]),
  memoryUsedBytes: Type.Number({minimum: 0}),
  memoryTotalBytes: Type.Number({minimum: 0}),
  swapUsedBytes: Type.Number({minimum: 0}),
  disks: Type.Array(Type.Object({path: Type.String(), freeBytes: Type.Number({minimum: 0}), totalBytes: Type.Number({minimum: 0})})),
  gpus: Type.Array(
    Type.Object({
      index: Type.Integer({minimum: 0}),
      name: Type.String(),
      utilizationPercent: Type.Number({minimum: 0}),
      memoryUsedBytes: Type.Number({minimum: 0}),
      memoryTotalBytes: Type.Number({minimum: 0}),
      temperatureC: Type.Number(),
    }),
  ),
  /** Movies the agent's pipeline holds: waiting for a slot, and being processed. */
  pipeline: Type.Object({queued: Type.Integer({minimum: 0}), running: Type.Integer({minimum: 0})}),
})

/**
 * The agent's verdict on a workflow revision it received: accepted (it processes under it), or
 * refused with why (e.g. a step needs GPUs the agent was not started with): it then processes nothing.
 */
export const WorkflowStatusSchema = Type.Object({
  kind: Type.Literal('workflowStatus'),
  revision: Type.Integer({minimum: 1}),
  accepted: Type.Boolean(),
  /** The step the agent cannot run, when the refusal is about one step. */
  step: Type.Optional(StepNameSchema),
  /** Why it was refused, for the user (absent when accepted). */
  reason: Type.Optional(Type.String({minLength: 1, maxLength: 2000})),
})

export const AgentEventSchema = Type.Union([
  MovieFoundSchema,
  StepStartedSchema,
  ...Object.values(StepFinishedSchemas),
  StepFailedSchema,
  SystemSampleSchema,
  WorkflowStatusSchema,
])

export type StepRun = Static<typeof StepRunSchema>
export type MovieFound = Static<typeof MovieFoundSchema>
export type MovieSidecarEvent = Static<typeof MovieSidecarSchema>
export type StepStarted = Static<typeof StepStartedSchema>
export type StepFinished = {[S in keyof typeof StepFinishedSchemas]: Static<(typeof StepFinishedSchemas)[S]>}[keyof typeof StepFinishedSchemas]
export type StepFailed = Static<typeof StepFailedSchema>
export type SystemSample = Static<typeof SystemSampleSchema>
export type WorkflowStatus = Static<typeof WorkflowStatusSchema>
export type AgentEvent = MovieFound | StepStarted | StepFinished | StepFailed | SystemSample | WorkflowStatus
export type AgentEventKind = AgentEvent['kind']
