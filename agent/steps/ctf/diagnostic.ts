// The diagnostic PSD, CTFFIND-style: a centred box x box image whose left half is the
// background-subtracted, noise-normalised spectrum and whose right half is the fitted
// envelope * CTF^2 on the same scale, so the rings must meet at the vertical axis if the fit is right.
import type {ChiCoefficients} from '../../../core/ctf/ctf-model.js'
import {spectrumLevels, type SpectrumModel} from './background.js'
import {chiAt, type DefocusState} from './defocus.js'
import {spectrumColumns, type PowerSpectrum} from './power-spectrum.js'

/** Row-major box x box image; row = ky + box / 2 (+y down the rows), column = kx + box / 2. */
export function diagnosticImage(spectrum: PowerSpectrum, model: SpectrumModel, c: ChiCoefficients, state: DefocusState, kMin: number): Float32Array {
  const {box, pixelSize, power} = spectrum
  const columns = spectrumColumns(box)
  const unit = 1 / (box * pixelSize)
  const kMax = 1 / (2 * pixelSize)
  const half = box / 2
  const out = new Float32Array(box * box)
  const shown: number[] = []
  for (let y = 0; y < box; y++) {
    for (let x = 0; x < box; x++) {
      const kx = x - half
      const ky = y - half
      const k = Math.hypot(kx, ky) * unit
      if (k < kMin || k > kMax) continue
      const {background, envelope, level} = spectrumLevels(model, k)
      let v: number
      if (kx < 0) {
        // Friedel mate in the stored half plane: (-kx, -ky).
        const r = -ky + half
        if (r >= box) continue
        v = (power[r * columns - kx] - background) / level
        shown.push(v)
      } else {
        const k2 = k * k
        const a = Math.atan2(ky, kx)
        const s = Math.sin(chiAt(c, state, k2, Math.cos(2 * a), Math.sin(2 * a)))
        v = (envelope / level) * s * s
      }
      out[y * box + x] = v
    }
  }
  clipLeftHalf(out, box, shown)
  return out
}

/** Clips the data half to mean +- 3 SD so a few bright pixels do not flatten the display. */
function clipLeftHalf(image: Float32Array, box: number, values: number[]): void {
  if (values.length === 0) return
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length)
  const lo = mean - 3 * sd
  const hi = mean + 3 * sd
  for (let y = 0; y < box; y++) for (let x = 0; x < box / 2; x++) image[y * box + x] = Math.min(hi, Math.max(lo, image[y * box + x]))
}
