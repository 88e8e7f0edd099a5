// Options of the per-movie previews. Plain JSON fields; lengths in pixels of the preview
// unless the name says otherwise.

export interface PreviewOptions {
  /** Micrograph pixel size (A); null = read it from the MRC header. */
  pixelSize: number | null
  /** Optics, for drawing the CTF fit (kV, mm, fraction). */
  voltage: number
  sphericalAberration: number
  amplitudeContrast: number
  /** The micrograph is binned by an integer factor to at most this width (px). */
  maxWidth: number
  /** Contrast stretch: these percentiles map to black and white. */
  lowPercentile: number
  highPercentile: number
  /** Side of the computed power spectrum (px) and the pixel size (A) it is resampled to (Nyquist 4 A: rings a person can see). */
  psdBox: number
  psdPixelSize: number
  /** Frequencies below 1 / this (A) are greyed out in the PSD (they carry no rings). */
  psdMinResolution: number
  /** Draw the picks as circles (of their detected diameter) on the micrograph preview. */
  overlayPicks: boolean
}

export const defaultPreviewOptions: PreviewOptions = {
  pixelSize: null,
  voltage: 300,
  sphericalAberration: 2.7,
  amplitudeContrast: 0.07,
  maxWidth: 1024,
  lowPercentile: 0.5,
  highPercentile: 99.5,
  psdBox: 512,
  psdPixelSize: 2,
  psdMinResolution: 50,
  overlayPicks: false,
}
