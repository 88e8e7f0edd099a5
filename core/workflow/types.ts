// The resolved workflow (every default filled in by validation); defined once, in schema.ts.
import type {Static} from '@sinclair/typebox'
import type {ExecutorSchema} from './executor.js'
import type {
  AcquisitionSchema,
  CtfSchema,
  MonitorsSchema,
  MotionSchema,
  PickingSchema,
  PreviewSchema,
  ReportSchema,
  ResourcesSchema,
  SessionSchema,
  WorkflowSchema,
  MOTION_PROGRAMS,
  CTF_PROGRAMS,
  PICKING_PROGRAMS,
} from './schema.js'

export type Workflow = Static<typeof WorkflowSchema>
export type ExecutorSettings = Static<typeof ExecutorSchema>
/** A step's executor settings once it runs on SLURM. */
export type SlurmExecutorSettings = ExecutorSettings & {kind: 'slurm'}
export type Acquisition = Static<typeof AcquisitionSchema>
export type MotionStep = Static<typeof MotionSchema>
export type CtfStep = Static<typeof CtfSchema>
export type PickingStep = Static<typeof PickingSchema>
export type PreviewStep = Static<typeof PreviewSchema>
export type MonitorSettings = Static<typeof MonitorsSchema>
export type ReportSettings = Static<typeof ReportSchema>
export type ResourceSettings = Static<typeof ResourcesSchema>
export type SessionSettings = Static<typeof SessionSchema>

export type MotionProgram = (typeof MOTION_PROGRAMS)[number]
export type CtfProgram = (typeof CTF_PROGRAMS)[number]
export type PickingProgram = (typeof PICKING_PROGRAMS)[number]

/** The processing steps of a movie, in pipeline order. */
export const STEP_NAMES = ['motion', 'ctf', 'picking', 'preview'] as const
export type StepName = (typeof STEP_NAMES)[number]
