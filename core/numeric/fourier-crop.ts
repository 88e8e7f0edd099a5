/**
 * Fourier cropping (binning by any factor, exact for band-limited images) and Fourier padding
 * (trigonometric interpolation), half-complex to half-complex.
 *
 * Values are scaled by (newWidth * newHeight) / (width * height) so that, with realFft2D's
 * normalisation, pixel values keep their scale (a constant image stays the same constant).
 * Nyquist bins are treated symmetrically: cropping to an even size folds the +N/2 and -N/2
 * frequencies into the new Nyquist bin (so a band-limited image cropped this way equals its
 * exact subsampling), and padding an even size splits its Nyquist bin evenly between +N/2 and
 * -N/2 (so padding then cropping back is the identity).
 */
import {checkSpectrum, halfWidth, spectrumLength} from './half-complex.js'

/** One source frequency that contributes to a destination frequency, with its weight. */
interface Source {
  frequency: number
  factor: number
}

export function fourierCrop(
  spectrum: Float32Array,
  width: number,
  height: number,
  newWidth: number,
  newHeight: number,
): Float32Array {
  checkSpectrum('fourierCrop input spectrum', spectrum, width, height)
  for (const [name, v] of [['newWidth', newWidth], ['newHeight', newHeight]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`fourierCrop ${name} must be a positive integer, got ${v}`)
  }
  const out = new Float32Array(spectrumLength(newWidth, newHeight))
  const scale = (newWidth * newHeight) / (width * height)
  const hw = halfWidth(width)
  const newHw = halfWidth(newWidth)
  const columnSources = Array.from({length: newHw}, (_, i) => axisSources(i, width, newWidth))
  // Columns 0..plain-1 each come from the same column with weight 1: copied in a tight loop.
  let plain = 0
  while (plain < newHw && isIdentity(columnSources[plain], plain)) plain++

  for (let j = 0; j < newHeight; j++) {
    const ky = destinationFrequency(j, newHeight)
    const rowSources = axisSources(ky, height, newHeight)
    const to = 2 * j * newHw
    if (rowSources.length === 1 && rowSources[0].factor === 1) {
      const from = 2 * sourceRow(rowSources[0].frequency, height) * hw
      for (let t = 0; t < 2 * plain; t++) out[to + t] = scale * spectrum[from + t]
    } else {
      for (let i = 0; i < plain; i++) accumulate(out, to + 2 * i, [{frequency: i, factor: 1}], rowSources, scale)
    }
    for (let i = plain; i < newHw; i++) accumulate(out, to + 2 * i, columnSources[i], rowSources, scale)
  }
  return out

  /** out[at] = scale * sum over (kx, ky) sources of the full-plane value X(kx, ky). */
  function accumulate(target: Float32Array, at: number, columns: Source[], rows: Source[], s: number): void {
    let re = 0, im = 0
    for (const c of columns) {
      for (const r of rows) {
        const f = c.factor * r.factor
        // The half-complex array stores kx >= 0; X(-kx, ky) = conj X(kx, -ky) for a real image.
        const negative = c.frequency < 0
        const from = 2 * (sourceRow(negative ? -r.frequency : r.frequency, height) * hw + Math.abs(c.frequency))
        re += f * spectrum[from]
        im += f * (negative ? -spectrum[from + 1] : spectrum[from + 1])
      }
    }
    target[at] = s * re
    target[at + 1] = s * im
  }
}

/**
 * Signed frequency of destination index j of n. For even n the Nyquist index n / 2 is taken as
 * -n / 2 here (either sign names the same bin); axisSources folds both signs into it.
 */
function destinationFrequency(j: number, n: number): number {
  return j < Math.ceil(n / 2) ? j : j - n
}

function sourceRow(frequency: number, n: number): number {
  return frequency >= 0 ? frequency : frequency + n
}

function isIdentity(sources: Source[], frequency: number): boolean {
  return sources.length === 1 && sources[0].factor === 1 && sources[0].frequency === frequency
}

/** Source frequencies (on an axis of n samples) that make destination frequency k (axis of newN). */
function axisSources(k: number, n: number, newN: number): Source[] {
  const sourceNyquist = n % 2 === 0 ? n / 2 : Infinity
  const magnitude = Math.abs(k)
  if (newN < n && newN % 2 === 0 && magnitude === newN / 2) {
    // New Nyquist bin: fold the +newN/2 and -newN/2 source frequencies.
    return [{frequency: newN / 2, factor: 1}, {frequency: -newN / 2, factor: 1}]
  }
  if (magnitude > Math.floor(n / 2)) return []
  if (newN > n && magnitude === sourceNyquist) return [{frequency: k, factor: 0.5}]
  return [{frequency: k, factor: 1}]
}
