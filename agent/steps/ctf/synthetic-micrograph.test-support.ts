// Test data: white "specimen" noise imaged through the reference CTF (core/ctf/ctf-model.ts,
// evaluated per pixel with ctfValue, independent of the estimator's fast kernels), a B-factor
// envelope, plus coloured background noise, the structure of a real micrograph's spectrum.
import {ctfTerms, ctfValue, type CtfParameters} from '../../../core/ctf/ctf-model.js'
import {createImage, type Image2D} from '../../../core/numeric/image.js'
import {halfWidth, realFft2D} from '../../../core/numeric/fft.js'

export interface SyntheticMicrographOptions {
  size: number
  pixelSize: number
  ctf: CtfParameters
  /** Envelope exp(-B k^2 / 4) on the amplitude (A^2). */
  bfactor: number
  /** Power of the CTF-modulated signal relative to the background noise at low frequency. */
  signalToNoise: number
  seed: number
}

export function syntheticMicrograph(o: SyntheticMicrographOptions): Image2D {
  const n = o.size
  const fft = realFft2D(n, n)
  const random = gaussian(o.seed)
  const signal = fft.forward(Float32Array.from({length: n * n}, random))
  const noise = fft.forward(Float32Array.from({length: n * n}, random))
  const terms = ctfTerms(o.ctf)
  const columns = halfWidth(n)
  const gain = Math.sqrt(o.signalToNoise)
  for (let j = 0; j < n; j++) {
    const ky = (j <= n / 2 ? j : j - n) / (n * o.pixelSize)
    for (let i = 0; i < columns; i++) {
      const kx = i / (n * o.pixelSize)
      const k = Math.hypot(kx, ky)
      const ctf = ctfValue(terms, k, Math.atan2(ky, kx))
      const envelope = Math.exp((-o.bfactor * k * k) / 4)
      // Background falls with frequency like the detector MTF and ice scatter do.
      const background = 1 / Math.sqrt(1 + (k / 0.08) ** 2)
      const s = gain * ctf * envelope * background
      const at = 2 * (j * columns + i)
      signal[at] = s * signal[at] + background * noise[at]
      signal[at + 1] = s * signal[at + 1] + background * noise[at + 1]
    }
  }
  return createImage(n, n, fft.inverse(signal))
}

/** Deterministic standard normal samples (mulberry32 + Box-Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-300)) * Math.cos(2 * Math.PI * uniform())
}
