// Average power spectrum of a micrograph: one periodogram of the whole image,
// block-averaged onto a box x box grid (Daniell smoothing, statistically the same as Welch's
// tile averaging at the same frequency resolution). Keeping only the frequencies below the
// resampled Nyquist is an exact Fourier crop, so small pixels get CTFFIND's resampling for free.
import type {Image2D} from '../../../core/numeric/image.js'
import {halfWidth, realFft2D, spectrumLength} from '../../../core/numeric/fft.js'

/**
 * Half-plane power spectrum: column c holds kx = c (0..box/2), row r holds ky = r - box/2,
 * in cycles per box; frequency (1/A) = index / (box * pixelSize). ky follows the image rows (+y).
 */
export interface PowerSpectrum {
  box: number
  /** Effective pixel size of the spectrum (A): its Nyquist is 1 / (2 pixelSize). */
  pixelSize: number
  /** (box / 2 + 1) * box mean periodogram values, row-major. */
  power: Float32Array
  /** Periodogram values averaged into each spectrum pixel (about; for noise estimates). */
  samplesPerPixel: number
}

export interface PowerSpectrumOptions {
  box: number
  /** Fourier-crop to this pixel size (A) when the micrograph's is smaller. */
  resampledPixelSize: number
}

export function spectrumColumns(box: number): number {
  return box / 2 + 1
}

export function averagePowerSpectrum(image: Image2D, pixelSize: number, opts: PowerSpectrumOptions): PowerSpectrum {
  const width = fastFftSize(image.width)
  const height = fastFftSize(image.height)
  const box = Math.min(opts.box, evenFloor(Math.min(width, height)))
  // Coarse spacing 1 / (box * p) may not be finer than the periodogram's 1 / (N * p_image).
  const spectrumPixel = Math.min(Math.max(pixelSize, opts.resampledPixelSize), (Math.min(width, height) * pixelSize) / box)
  const fft = realFft2D(width, height)
  const spectrum = fft.forward(centreCrop(image, width, height), scratch.take('spectrum', spectrumLength(width, height)))
  const power = blockAverage(spectrum, width, height, box, (box * spectrumPixel) / (width * pixelSize), (box * spectrumPixel) / (height * pixelSize))
  const samplesPerPixel = ((width * pixelSize) / (box * spectrumPixel)) * ((height * pixelSize) / (box * spectrumPixel))
  return {box, pixelSize: spectrumPixel, power, samplesPerPixel}
}

/**
 * Reused full-size buffers (64 MB each at 4096^2): a micrograph per few seconds would otherwise
 * keep the garbage collector busy for a quarter of the run time. Kernels are synchronous, so one
 * set per thread is safe.
 */
const scratch = {
  buffers: new Map<string, Float32Array>(),
  take(name: string, length: number): Float32Array {
    let b = this.buffers.get(name)
    if (!b || b.length !== length) {
      b = new Float32Array(length)
      this.buffers.set(name, b)
    }
    return b
  },
}

/**
 * Averages |F|^2 of the fine half-complex spectrum into coarse bins by bilinear splatting: each
 * fine sample is shared between its 2 x 2 nearest coarse bins, so every coarse bin's weighted
 * mean frequency is exactly its own (nearest-bin assignment shifts it by up to half a fine
 * sample, a bias of ~0.2 % in defocus). Separable: along x into a coarse row, then along y.
 */
function blockAverage(spectrum: Float32Array, width: number, height: number, box: number, scaleX: number, scaleY: number): Float32Array {
  const columns = spectrumColumns(box)
  const fineColumns = Math.min(halfWidth(width), Math.floor((columns - 1) / scaleX) + 1)
  const column0 = new Int32Array(fineColumns)
  const fraction = new Float64Array(fineColumns)
  const columnWeight = new Float64Array(columns + 1)
  for (let i = 0; i < fineColumns; i++) {
    const x = i * scaleX
    column0[i] = Math.floor(x)
    fraction[i] = x - column0[i]
    columnWeight[column0[i]] += 1 - fraction[i]
    columnWeight[column0[i] + 1] += fraction[i]
  }
  const sum = new Float64Array((box + 1) * columns)
  const rowWeight = new Float64Array(box + 1)
  const row = new Float64Array(columns + 1)
  const half = box / 2
  const rowFloats = 2 * halfWidth(width)
  for (let j = 0; j < height; j++) {
    const ky = j <= height / 2 ? j : j - height
    const y = ky * scaleY + half
    const r0 = Math.floor(y)
    if (r0 < -1 || r0 >= box) continue
    const fy = y - r0
    row.fill(0)
    const at = j * rowFloats
    for (let i = 0; i < fineColumns; i++) {
      const re = spectrum[at + 2 * i]
      const im = spectrum[at + 2 * i + 1]
      const p = re * re + im * im
      const f = fraction[i]
      row[column0[i]] += (1 - f) * p
      row[column0[i] + 1] += f * p
    }
    // Row r0 + 1 of the (box + 1)-row accumulator is coarse row r0; index 0 catches r0 = -1.
    addRow(sum, (r0 + 1) * columns, row, columns, 1 - fy)
    addRow(sum, (r0 + 2) * columns, row, columns, fy)
    rowWeight[r0 + 1] += 1 - fy
    if (r0 + 2 <= box) rowWeight[r0 + 2] += fy
  }
  const power = new Float32Array(columns * box)
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < columns; c++) {
      const w = rowWeight[r + 1] * columnWeight[c]
      power[r * columns + c] = w > 0 ? sum[(r + 1) * columns + c] / w : 0
    }
  }
  return power
}

function addRow(sum: Float64Array, at: number, row: Float64Array, columns: number, weight: number): void {
  if (weight === 0 || at + columns > sum.length) return
  for (let c = 0; c < columns; c++) sum[at + c] += weight * row[c]
}

/**
 * The centred width x height part of the image, without copying when only rows are cut. No
 * edge taper: the rectangular window's leakage lies exactly on the kx = 0 and ky = 0 axes,
 * which the fit leaves out (spectrumBand), and skipping the taper saves a full-image pass.
 */
function centreCrop(image: Image2D, width: number, height: number): Float32Array {
  const y0 = (image.height - height) >> 1
  if (width === image.width) return image.data.subarray(y0 * width, (y0 + height) * width)
  const x0 = (image.width - width) >> 1
  const out = scratch.take('image', width * height)
  for (let y = 0; y < height; y++) out.set(image.data.subarray((y + y0) * image.width + x0, (y + y0) * image.width + x0 + width), y * width)
  return out
}

/** Largest even size <= n with no prime factor above 5, so the FFT stays fast for any camera. */
export function fastFftSize(n: number): number {
  for (let m = evenFloor(n); m > 2; m -= 2) {
    let r = m
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p
    if (r === 1) return m
  }
  return evenFloor(n)
}

function evenFloor(n: number): number {
  return n - (n % 2)
}
