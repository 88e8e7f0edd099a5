/** What made a movie unusable for motion correction, as a stable code tests and the pipeline switch on. */
export type MotionProblemCode =
  | 'too-few-frames' // fewer than 2 frames (or groups) to align
  | 'empty-frame' // a frame with no counts at all
  | 'non-finite' // NaN or Inf pixels
  | 'gain-size' // gain reference does not match the movie after rotation
  | 'gain-values' // gain reference with NaN/Inf or no positive pixel
  | 'defect-file' // defect file unreadable or of the wrong size
  | 'missing-parameter' // pixel size or dose needed but neither given nor in the header
  | 'binned-size' // the binned output would have an odd or zero dimension

/** A movie (or its gain / defect file) that motion correction cannot process; names the file. */
export class MotionError extends Error {
  override readonly name = 'MotionError'
  constructor(
    readonly file: string,
    readonly code: MotionProblemCode,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`)
  }
}
