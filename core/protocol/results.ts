// Wire schemas of the step results in core/results/index.ts. The interfaces there stay the source of
// truth; the assertions at the bottom make tsc fail if these schemas drift from them.
import {Type, type Static} from '@sinclair/typebox'
import type {CtfResult, MotionResult, PickResult, PreviewResult} from '../results/index.js'

const Point = Type.Tuple([Type.Number(), Type.Number()])
const Numbers = Type.Array(Type.Number())
const Warnings = Type.Optional(Type.Array(Type.String()))

export const LocalMotionModelSchema = Type.Object({
  patchesX: Type.Integer({minimum: 1}),
  patchesY: Type.Integer({minimum: 1}),
  coeffX: Numbers,
  coeffY: Numbers,
  patches: Type.Array(Type.Object({x: Type.Number(), y: Type.Number(), shifts: Type.Array(Point)})),
})

export const MotionResultSchema = Type.Object({
  micrograph: Type.String(),
  micrographNoDW: Type.Optional(Type.String()),
  pixelSize: Type.Number(),
  shifts: Type.Array(Point),
  totalMotion: Type.Number(),
  earlyMotion: Type.Number(),
  lateMotion: Type.Number(),
  localModel: Type.Optional(LocalMotionModelSchema),
  starFile: Type.Optional(Type.String()),
  frames: Type.Integer({minimum: 0}),
  dosePerFrame: Type.Number(),
  warnings: Warnings,
  gainResidual: Type.Optional(Type.Object({std: Type.Number(), percentileRatio: Type.Number(), peakRatio: Type.Number()})),
})

export const CtfResultSchema = Type.Object({
  defocusU: Type.Number(),
  defocusV: Type.Number(),
  defocusAngle: Type.Number(),
  phaseShift: Type.Number(),
  resolution: Type.Number(),
  figureOfMerit: Type.Number(),
  psdImage: Type.Optional(Type.String()),
  profile: Type.Optional(Type.Object({frequency: Numbers, spectrum: Numbers, fit: Numbers, correlation: Numbers})),
  warnings: Warnings,
})

export const PickResultSchema = Type.Object({
  count: Type.Integer({minimum: 0}),
  coordinates: Type.Array(Point),
  scores: Numbers,
  coordinatesFile: Type.String(),
  diameters: Type.Optional(Numbers),
})

export const PreviewResultSchema = Type.Object({
  micrographPreview: Type.String(),
  psdPreview: Type.Optional(Type.String()),
  trajectory: Type.Optional(Type.Array(Point)),
})

// Compile-time: each schema's static type and the shared interface are assignable both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameShapes: [
  Same<Static<typeof MotionResultSchema>, MotionResult>,
  Same<Static<typeof CtfResultSchema>, CtfResult>,
  Same<Static<typeof PickResultSchema>, PickResult>,
  Same<Static<typeof PreviewResultSchema>, PreviewResult>,
] = [true, true, true, true]
void sameShapes
