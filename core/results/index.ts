// Result shapes every motion / CTF / picking program maps into (built-in or external),
// so that nothing downstream knows which program ran. Units are in the field names' docs.

/** Global (whole-frame) alignment of a movie. */
export interface MotionResult {
  /** Aligned, dose-weighted sum (MRC). */
  micrograph: string
  /** Aligned sum without dose weighting, when requested. */
  micrographNoDW?: string
  /** Pixel size of the written micrograph (A), after binning. */
  pixelSize: number
  /**
   * Per-frame shift applied to each frame, in input (unbinned) pixels, frame 1 = [0, 0];
   * same sign as RELION's rlnMicrographShiftX/Y (i.e. minus the specimen motion).
   */
  shifts: [number, number][]
  /** RELION's accumulated motion (px, input pixels): total, first 4 e/A^2, the rest. */
  totalMotion: number
  earlyMotion: number
  lateMotion: number
  /** Local (patch) model, when patches were used. */
  localModel?: LocalMotionModel
  /** RELION-style per-movie STAR with the shifts. */
  starFile?: string
  /** Number of frames read and summed. */
  frames: number
  /** Dose per frame actually used (e/A^2). */
  dosePerFrame: number
  /** Gain or orientation warnings a user should see. */
  warnings?: string[]
  /** Residual gain of the gain-corrected frame sum (the controller's gain monitor checks it). */
  gainResidual?: GainResidual
}

/** Scipion's residual-gain statistics of a movie (the residual is 1 where the gain is right). */
export interface GainResidual {
  /** Standard deviation of the residual gain (Scipion alerts above 0.04). */
  std: number
  /** p97.5 / p2.5 of the residual gain (Scipion: 1.15). */
  percentileRatio: number
  /** max / p97.5 of the residual gain (Scipion: 4.5). */
  peakRatio: number
}

/** A smooth spatio-temporal model of local motion: shift(x, y, t) = sum coeff * basis. */
export interface LocalMotionModel {
  /** Patch grid used to fit the model. */
  patchesX: number
  patchesY: number
  /** RELION's polynomial: {1,x,x^2,y,y^2,xy} x {z,z^2,z^3} per axis (18 coefficients each). */
  coeffX: number[]
  coeffY: number[]
  /** Per-patch measured trajectories: patch centre (px) and per-frame shift (px). */
  patches: {x: number; y: number; shifts: [number, number][]}[]
}

/** The fitted CTF, CTFFIND / RELION conventions: U >= V, angle in (-90, 90] from +x toward +y (rows). */
export interface CtfParameters {
  /** Defocus along the major / minor axis (A, positive = underfocus). */
  defocusU: number
  defocusV: number
  /** Astigmatism angle (degrees). */
  defocusAngle: number
  /** Additional phase shift (degrees), 0 without a phase plate. */
  phaseShift: number
  /** Fit resolution (A): the spacing up to which the Thon rings fit. */
  resolution: number
  /** Figure of merit of the fit (cross-correlation, 0..1). */
  figureOfMerit: number
}

/** CTF estimate: the fitted parameters and what shows the fit. */
export interface CtfResult extends CtfParameters {
  /** Diagnostic PSD with the fit overlaid (MRC or PNG). */
  psdImage?: string
  /** 1D rotational profile and fit, for plots. */
  profile?: CtfProfile
  warnings?: string[]
}

export interface CtfProfile {
  /** Spatial frequency of each point (1/A). */
  frequency: number[]
  /** Background-subtracted, astigmatism-aware rotational average of the spectrum. */
  spectrum: number[]
  /** The fitted CTF^2 (or |CTF|) at the same frequencies. */
  fit: number[]
  /** Windowed correlation between spectrum and fit. */
  correlation: number[]
}

/** Particle picks in micrograph pixels of the micrograph they were picked on. */
export interface PickResult {
  count: number
  /** [x = column, y = row] in micrograph pixels. */
  coordinates: [number, number][]
  scores: number[]
  /** RELION-style coordinate STAR. */
  coordinatesFile: string
  /** Diameter used per pick (A), when multi-scale. */
  diameters?: number[]
}

/** Per-movie preview files for the report. */
export interface PreviewResult {
  micrographPreview: string
  psdPreview?: string
  /** Drift trajectory data (px) for plots. */
  trajectory?: [number, number][]
}
