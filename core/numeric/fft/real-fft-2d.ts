/** The 2D real FFT interface every backend implements (layout: see core/numeric/half-complex.ts). */
export interface RealFft2D {
  readonly width: number
  readonly height: number
  /** Unnormalised forward transform of a width x height image into a half-complex spectrum. */
  forward(image: Float32Array, out?: Float32Array): Float32Array
  /** Inverse scaled by 1 / (width * height); may overwrite its input spectrum. */
  inverse(spectrum: Float32Array, out?: Float32Array): Float32Array
}

export function checkLength(name: string, array: Float32Array, expected: number): void {
  if (array.length !== expected) throw new RangeError(`FFT ${name} has ${array.length} floats, expected ${expected}`)
}
