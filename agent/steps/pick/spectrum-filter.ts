// Radially symmetric filters applied to a half-complex spectrum (core/numeric/fft.ts layout),
// with the frequency in physical units (1/A) so that slightly different pixel sizes per axis
// (after resampling to smooth FFT sizes) are honoured exactly.

/** Squared spatial frequency (1/A^2) of every complex element of a width x height half-complex spectrum. */
export function frequencySquared(width: number, height: number, pixelSizeX: number, pixelSizeY: number): Float32Array {
  const cols = Math.floor(width / 2) + 1
  const k2 = new Float32Array(cols * height)
  for (let j = 0; j < height; j++) {
    const ky = (j <= height / 2 ? j : j - height) / (height * pixelSizeY)
    for (let i = 0; i < cols; i++) {
      const kx = i / (width * pixelSizeX)
      k2[j * cols + i] = kx * kx + ky * ky
    }
  }
  return k2
}

/** out = spectrum x gain(k^2) for every complex element (out may be a new array). */
export function applyRadialGain(
  spectrum: Float32Array,
  k2: Float32Array,
  gain: (k2: number) => number,
  out: Float32Array = new Float32Array(spectrum.length),
): Float32Array {
  for (let e = 0; e < k2.length; e++) {
    const g = gain(k2[e])
    out[2 * e] = spectrum[2 * e] * g
    out[2 * e + 1] = spectrum[2 * e + 1] * g
  }
  return out
}

/** Gaussian low-pass with real-space standard deviation sigma (A). */
export function gaussianGain(sigma: number): (k2: number) => number {
  const c = -2 * Math.PI * Math.PI * sigma * sigma
  return (k2) => Math.exp(c * k2)
}

/**
 * Scale-normalised Laplacian of Gaussian, sign chosen so a bright blob gives a positive peak:
 * sigma^2 (2 pi k)^2 exp(-2 pi^2 sigma^2 k^2). Its response to a disk of radius r peaks at
 * sigma = r / sqrt(2), the same height for every r: that makes scales comparable.
 */
export function logGain(sigma: number): (k2: number) => number {
  const a = 4 * Math.PI * Math.PI * sigma * sigma
  return (k2) => a * k2 * Math.exp(-0.5 * a * k2)
}
