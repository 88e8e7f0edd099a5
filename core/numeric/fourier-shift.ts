/**
 * Sub-pixel translation by a phase ramp on a half-complex spectrum, in place.
 * The image content moves by +dx columns and +dy rows (periodically): f(x - dx, y - dy), i.e.
 * every bin is multiplied by exp(-2 pi i (kx dx / width + ky dy / height)).
 */
import {checkSpectrum, halfWidth, rowFrequency} from './half-complex.js'

export function fourierShift(spectrum: Float32Array, width: number, height: number, dx: number, dy: number): void {
  checkSpectrum('fourierShift spectrum', spectrum, width, height)
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) throw new RangeError(`fourierShift needs finite shifts, got (${dx}, ${dy})`)
  if (dx === 0 && dy === 0) return
  const hw = halfWidth(width)
  // Separable phase: one cos/sin table per axis instead of one sincos per bin.
  const colCos = new Float64Array(hw), colSin = new Float64Array(hw)
  for (let i = 0; i < hw; i++) {
    const phase = (-2 * Math.PI * i * dx) / width
    colCos[i] = Math.cos(phase)
    colSin[i] = Math.sin(phase)
  }
  for (let j = 0; j < height; j++) {
    const phase = (-2 * Math.PI * rowFrequency(j, height) * dy) / height
    const rc = Math.cos(phase), rs = Math.sin(phase)
    const row = 2 * j * hw
    for (let i = 0; i < hw; i++) {
      const c = colCos[i] * rc - colSin[i] * rs
      const s = colSin[i] * rc + colCos[i] * rs
      const at = row + 2 * i
      const re = spectrum[at], im = spectrum[at + 1]
      spectrum[at] = re * c - im * s
      spectrum[at + 1] = re * s + im * c
    }
  }
}
