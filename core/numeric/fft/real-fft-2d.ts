/** The 2D real FFT interface every backend implements (layout: see core/numeric/half-complex.ts). */
import {halfWidth, spectrumLength} from '../half-complex.js'

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

/** One row's real transform into and out of the half-complex layout. */
export interface RowTransform {
  forward(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number): void
  /** Writes width reals times scale. */
  inverse(src: Float32Array, srcAt: number, dst: Float32Array, dstAt: number, scale: number): void
}

/** Complex FFTs down every half-complex column, in place. */
export interface ColumnPass {
  run(spectrum: Float32Array, inverse: boolean): void
}

/** The row-column algorithm every backend shares: real FFTs along rows, complex FFTs down columns. */
export class SeparableRealFft2D implements RealFft2D {
  constructor(
    readonly width: number,
    readonly height: number,
    private readonly rows: RowTransform,
    private readonly columns: ColumnPass,
  ) {}

  forward(image: Float32Array, out?: Float32Array): Float32Array {
    const {width, height} = this
    checkLength('image', image, width * height)
    const spectrum = out ?? new Float32Array(spectrumLength(width, height))
    checkLength('spectrum output', spectrum, spectrumLength(width, height))
    const rowFloats = 2 * halfWidth(width)
    for (let y = 0; y < height; y++) this.rows.forward(image, y * width, spectrum, y * rowFloats)
    this.columns.run(spectrum, false)
    return spectrum
  }

  inverse(spectrum: Float32Array, out?: Float32Array): Float32Array {
    const {width, height} = this
    checkLength('spectrum', spectrum, spectrumLength(width, height))
    const image = out ?? new Float32Array(width * height)
    checkLength('image output', image, width * height)
    this.columns.run(spectrum, true)
    const rowFloats = 2 * halfWidth(width)
    const scale = 1 / (width * height)
    for (let y = 0; y < height; y++) this.rows.inverse(spectrum, y * rowFloats, image, y * width, scale)
    return image
  }
}
