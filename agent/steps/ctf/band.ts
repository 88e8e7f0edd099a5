// The spectrum pixels inside a frequency annulus, with the geometry every CTF evaluation needs
// precomputed once: k^2 and the astigmatism basis cos 2a, sin 2a (a = atan2(ky, kx), ky = +y rows).
import {spectrumColumns, type PowerSpectrum} from './power-spectrum.js'

export interface SpectrumBand {
  count: number
  /** Index of each pixel in PowerSpectrum.power. */
  index: Int32Array
  /** Spatial frequency (1/A) and its square. */
  k: Float64Array
  k2: Float64Array
  cos2: Float64Array
  sin2: Float64Array
  /** Radius in spectrum pixels, for radial binning. */
  radius: Float64Array
}

/**
 * Pixels with kMin <= |k| <= kMax (1/A), without the kx = 0 and ky = 0 axes: the image edges'
 * discontinuity puts a bright cross there (and the kx = 0 column duplicates its Friedel mates).
 */
export function spectrumBand(spectrum: PowerSpectrum, kMin: number, kMax: number): SpectrumBand {
  const {box, pixelSize} = spectrum
  const columns = spectrumColumns(box)
  const unit = 1 / (box * pixelSize)
  const picked: number[] = []
  for (let r = 0; r < box; r++) {
    const ky = r - box / 2
    for (let c = 0; c < columns; c++) {
      if (c === 0 || ky === 0) continue
      const k = Math.hypot(c, ky) * unit
      if (k >= kMin && k <= kMax) picked.push(r * columns + c)
    }
  }
  const n = picked.length
  const band: SpectrumBand = {
    count: n,
    index: Int32Array.from(picked),
    k: new Float64Array(n),
    k2: new Float64Array(n),
    cos2: new Float64Array(n),
    sin2: new Float64Array(n),
    radius: new Float64Array(n),
  }
  for (let t = 0; t < n; t++) {
    const c = picked[t] % columns
    const ky = Math.floor(picked[t] / columns) - box / 2
    const radius = Math.hypot(c, ky)
    const azimuth = Math.atan2(ky, c)
    band.radius[t] = radius
    band.k[t] = radius * unit
    band.k2[t] = band.k[t] * band.k[t]
    band.cos2[t] = Math.cos(2 * azimuth)
    band.sin2[t] = Math.sin(2 * azimuth)
  }
  return band
}

/** Values of the band's pixels gathered from a spectrum-sized array. */
export function gather(band: SpectrumBand, values: Float32Array): Float64Array {
  const out = new Float64Array(band.count)
  for (let t = 0; t < band.count; t++) out[t] = values[band.index[t]]
  return out
}

/** Every n-th pixel of a band: a regular subset for cheap coarse scoring. */
export function everyNth(band: SpectrumBand, n: number): SpectrumBand {
  const keep = (a: Float64Array) => a.filter((_, t) => t % n === 0)
  return {
    count: Math.ceil(band.count / n),
    index: band.index.filter((_, t) => t % n === 0),
    k: keep(band.k),
    k2: keep(band.k2),
    cos2: keep(band.cos2),
    sin2: keep(band.sin2),
    radius: keep(band.radius),
  }
}
