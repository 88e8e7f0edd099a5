// Options of the built-in Laplacian-of-Gaussian picker. Every field is plain JSON so a
// workflow can set it; lengths are in Angstroms unless the name says otherwise.

export interface PickOptions {
  /** Pixel size of the micrograph (A/px); null = read it from the MRC header. */
  pixelSize: number | null
  /** Smallest and largest particle diameter to pick (A). */
  diameterMin: number
  diameterMax: number
  /**
   * Automatic threshold: the lowest at which the estimated fraction of false picks (decoy
   * peaks of the opposite contrast / picks) is at most this; null = RELION's rule alone
   * (threshold = mean of the in-range figure of merit). CTF fringes around particles make
   * decoys too, so the estimate is an upper bound: at 0.3 the measured precision was ~0.96.
   */
  falseDiscoveryRate: number | null
  /**
   * Added to the threshold, in sigma of the figure of merit over the pixels whose best
   * diameter is inside the range (as RELION --LoG_adjust_threshold): positive = fewer picks.
   */
  thresholdAdjust: number
  /** Picks scoring above mean + upperThreshold x sigma are dropped (RELION --LoG_upper_threshold); null = none. */
  upperThreshold: number | null
  /** Least distance between two picks (A); null = 0.6 x the diameter detected at the stronger pick (as RELION). */
  exclusionDistance: number | null
  /** No picks closer than this to the micrograph edge (A); null = half the smallest diameter (as RELION). */
  edgeMargin: number | null
  /** Particles are bright on a dark background (negative stain or inverted data). */
  invert: boolean
  /** Pixels further than this many (robust) sigma from the mean are replaced by the mean first. */
  outlierZ: number
  /** Carbon / contamination mask: low-pass mean more than this many sigma darker / brighter is masked; null = off. */
  maskDarkSigma: number | null
  maskBrightSigma: number | null
  /** Number of diameters searched inside [diameterMin, diameterMax] (ends included). */
  diameterSteps: number
  /**
   * Out-of-range diameters searched too, as multiples of diameterMin (below) and diameterMax
   * (above): a pixel that answers best to one of them is noise or carbon, not a particle.
   */
  searchBelow: number[]
  searchAbove: number[]
  /** Working pixel size is chosen so that diameterMin spans this many pixels. */
  workingPixelsPerMinDiameter: number
  /** Stop after this many picks (the best ones); null = no limit. */
  maxPicks: number | null
  /** Name inserted in the coordinate file, `<micrograph>_<pickName>.star` (RELION --pickname). */
  pickName: string
}

export const defaultPickOptions: PickOptions = {
  pixelSize: null,
  diameterMin: 100,
  diameterMax: 200,
  falseDiscoveryRate: 0.3,
  thresholdAdjust: 0,
  upperThreshold: null,
  exclusionDistance: null,
  edgeMargin: null,
  invert: false,
  outlierZ: 8,
  maskDarkSigma: 4,
  maskBrightSigma: 4,
  diameterSteps: 3,
  searchBelow: [1 / 3, 1 / 2],
  searchAbove: [2, 3],
  workingPixelsPerMinDiameter: 16,
  maxPicks: null,
  pickName: 'autopick',
}
