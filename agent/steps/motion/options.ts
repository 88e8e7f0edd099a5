// Options of the built-in motion correction step. Plain JSON-able fields, so a workflow file
// can carry them; units are in each field's doc. Defaults follow RELION's own implementation.

/** Gain reference orientation as RELION's --gain_rot / --gain_flip define them. */
export type GainRotation = 0 | 1 | 2 | 3
export type GainFlip = 0 | 1 | 2

export interface MotionOptions {
  /** Pixel size of the movie (A). Required for dose weighting; 0 = take it from the movie header. */
  pixelSize: number
  /** Acceleration voltage (kV): 100, 200 or 300 for dose weighting. */
  voltage: number
  /** Dose per movie frame (e/A^2); 0 = take it from the movie header when it records one. */
  dosePerFrame: number
  /** Dose received before the first frame (e/A^2). */
  preExposure: number
  /** Gain reference (MRC) to multiply the frames by; empty = frames are already gain-corrected. */
  gainReference: string
  /** Rotate the gain this many times 90 degrees clockwise (as displayed, row 0 on top), before the flip. */
  gainRotation: GainRotation
  /** After rotation: 0 none, 1 flip Y (upside down), 2 flip X (left to right). */
  gainFlip: GainFlip
  /** MotionCor2-style defect file: text lines "x y w h", or an MRC map where non-zero = bad. Empty = none. */
  defectFile: string
  /** Replace pixels brighter than mean + this many standard deviations in the unaligned sum; 0 = off. */
  hotPixelSigma: number
  /** B-factor (pix^2, in input pixels) of the filter exp(-B s^2) applied to each spectrum for alignment. */
  bfactor: number
  /** Patch grid for local alignment; fewer than 3 in either direction = global alignment only. */
  patchesX: number
  patchesY: number
  /** Sum this many frames before measuring shifts (low-dose frames); 1 = no grouping. */
  groupFrames: number
  /** Output binning by Fourier cropping (can be non-integer); 1 = none. */
  binning: number
  /** First and last movie frame (1-based) to align and sum; lastFrame 0 = the last frame. */
  firstFrame: number
  lastFrame: number
  /** Alignment iterations at most, and the RMS shift update (input px) that ends them. */
  maxIterations: number
  tolerance: number
  /** Largest shift searched for (input px). */
  searchRange: number
  /**
   * Smooth each trajectory with an acceleration prior whose strength the data choose (REML):
   * at low dose per frame this removes most of the per-frame measurement noise.
   */
  smoothTrajectory: boolean
  /** Apply dose weighting to the main output sum. */
  doseWeighting: boolean
  /** Also write the aligned sum without dose weighting (<name>_noDW.mrc). */
  saveNoDoseWeighting: boolean
  /** Worker threads for per-frame work; 1 = run in this thread. */
  threads: number
  /** EER rendering: frames of the hardware stream per output frame, and 1 (4K) / 2 (8K) / 4 (16K). */
  eerGrouping: number
  eerUpsampling: 1 | 2 | 4
}

export const defaultMotionOptions: MotionOptions = {
  pixelSize: 0,
  voltage: 300,
  dosePerFrame: 0,
  preExposure: 0,
  gainReference: '',
  gainRotation: 0,
  gainFlip: 0,
  defectFile: '',
  hotPixelSigma: 6,
  bfactor: 150,
  patchesX: 1,
  patchesY: 1,
  groupFrames: 1,
  binning: 1,
  firstFrame: 1,
  lastFrame: 0,
  maxIterations: 10,
  tolerance: 0.01,
  searchRange: 50,
  smoothTrajectory: true,
  doseWeighting: true,
  saveNoDoseWeighting: false,
  threads: 1,
  eerGrouping: 40,
  eerUpsampling: 1,
}

/** Defaults overlaid with what the caller gave, checked field by field. */
export function resolveMotionOptions(given: Partial<MotionOptions> = {}): MotionOptions {
  const options = {...defaultMotionOptions, ...given}
  checkMotionOptions(options)
  return options
}

export function checkMotionOptions(o: MotionOptions): void {
  const fail = (field: keyof MotionOptions, problem: string) => {
    throw new MotionOptionError(field, `${problem}, got ${JSON.stringify(o[field])}`)
  }
  const positive = (field: keyof MotionOptions, allowZero = false) => {
    const v = o[field]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) fail(field, allowZero ? 'must be a number >= 0' : 'must be a number > 0')
  }
  const integer = (field: keyof MotionOptions, min: number) => {
    const v = o[field]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `must be an integer >= ${min}`)
  }
  positive('pixelSize', true)
  positive('dosePerFrame', true)
  positive('preExposure', true)
  positive('hotPixelSigma', true)
  positive('bfactor')
  positive('binning')
  if (o.binning < 1) fail('binning', 'must be >= 1 (Fourier cropping only bins)')
  positive('tolerance')
  positive('searchRange')
  integer('patchesX', 1)
  integer('patchesY', 1)
  integer('groupFrames', 1)
  integer('firstFrame', 1)
  integer('lastFrame', 0)
  if (o.lastFrame > 0 && o.lastFrame < o.firstFrame) fail('lastFrame', `must be 0 or >= firstFrame (${o.firstFrame})`)
  integer('maxIterations', 1)
  integer('threads', 1)
  integer('eerGrouping', 1)
  if (![0, 1, 2, 3].includes(o.gainRotation)) fail('gainRotation', 'must be 0, 1, 2 or 3 (times 90 degrees clockwise)')
  if (![0, 1, 2].includes(o.gainFlip)) fail('gainFlip', 'must be 0 (none), 1 (flip Y) or 2 (flip X)')
  if (![1, 2, 4].includes(o.eerUpsampling)) fail('eerUpsampling', 'must be 1, 2 or 4')
  if (o.doseWeighting && ![100, 200, 300].some((kv) => Math.abs(o.voltage - kv) <= 2)) {
    fail('voltage', 'dose weighting supports 100, 200 or 300 kV')
  }
}

/** An option value the step cannot run with; names the field. */
export class MotionOptionError extends Error {
  override readonly name = 'MotionOptionError'
  constructor(
    readonly field: keyof MotionOptions,
    readonly problem: string,
  ) {
    super(`motion option ${field}: ${problem}`)
  }
}
