/**
 * The half-complex spectrum layout shared by every kernel in core/numeric: for a width x height
 * real image, (floor(width / 2) + 1) x height complex values, interleaved (re, im), row-major.
 * Row j holds ky = rowFrequency(j, height); column i holds kx = i (cycles per image).
 */

/** Number of complex values in one half-complex row. */
export function halfWidth(width: number): number {
  return Math.floor(width / 2) + 1
}

/** Float count of a half-complex spectrum for a width x height image. */
export function spectrumLength(width: number, height: number): number {
  return 2 * halfWidth(width) * height
}

/** Signed frequency (cycles per image) of row j of n: j for j <= n / 2, else j - n. */
export function rowFrequency(j: number, n: number): number {
  return j <= n / 2 ? j : j - n
}

/** Throws a RangeError naming the array when it does not hold a width x height spectrum. */
export function checkSpectrum(name: string, spectrum: Float32Array, width: number, height: number): void {
  const expected = spectrumLength(width, height)
  if (spectrum.length !== expected) {
    throw new RangeError(`${name} has ${spectrum.length} floats, expected ${expected} for a ${width}x${height} half-complex spectrum`)
  }
}
