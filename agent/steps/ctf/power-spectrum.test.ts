import {describe, expect, it} from 'vitest'
import {createImage} from '../../../core/numeric/image.js'
import {averagePowerSpectrum, fastFftSize, spectrumColumns} from './power-spectrum.js'

/** A plane wave with kx cycles per image width and ky per image height. */
function planeWave(n: number, kx: number, ky: number, height = n) {
  const data = new Float32Array(n * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < n; x++) data[y * n + x] = Math.cos(2 * Math.PI * ((kx * x) / n + (ky * y) / height))
  return createImage(n, height, data)
}

/** Power-weighted mean (column, row - box/2) of the spectrum: where the wave's power landed. */
function centroid(power: Float32Array, box: number): [number, number] {
  const columns = spectrumColumns(box)
  let s = 0, sx = 0, sy = 0
  for (let r = 0; r < box; r++) {
    for (let c = 0; c < columns; c++) {
      const p = power[r * columns + c]
      s += p
      sx += p * c
      sy += p * (r - box / 2)
    }
  }
  return [sx / s, sy / s]
}

describe('averagePowerSpectrum', () => {
  it('puts a wave at its frequency, ky along the rows, with no binning bias', () => {
    // 1024 px at 1 A, box 256 at 1.4 A: coarse index = fine index * 256 * 1.4 / 1024 = 0.35 x.
    // A wave between coarse bins must not be pulled onto the nearest one.
    const s = averagePowerSpectrum(planeWave(1024, 101, -61), 1, {box: 256, resampledPixelSize: 1.4})
    expect(s.pixelSize).toBeCloseTo(1.4, 12)
    const [cx, cy] = centroid(s.power, 256)
    expect(cx).toBeCloseTo(35.35, 2)
    expect(cy).toBeCloseTo(-21.35, 2)
  })

  it('keeps the micrograph pixel size when it is already coarser than the resampling target', () => {
    const s = averagePowerSpectrum(planeWave(512, 64, -32), 2, {box: 128, resampledPixelSize: 1.4})
    expect(s.pixelSize).toBe(2)
    const [cx, cy] = centroid(s.power, 128)
    expect(cx).toBeCloseTo(16, 1)
    expect(cy).toBeCloseTo(-8, 1)
  })

  it('maps both axes of a non-square image onto one frequency grid', () => {
    // 640 x 400 px at 1 A into a 128 box at 1 A: 64 / 640 and 40 / 400 cycles/px are both 12.8 bins.
    const s = averagePowerSpectrum(planeWave(640, 64, 40, 400), 1, {box: 128, resampledPixelSize: 1})
    const [cx, cy] = centroid(s.power, 128)
    expect(cx).toBeCloseTo(12.8, 2)
    expect(cy).toBeCloseTo(12.8, 2)
  })

  it('shrinks the box to fit a small image', () => {
    const s = averagePowerSpectrum(planeWave(200, 10, 0), 1, {box: 512, resampledPixelSize: 1})
    expect(s.box).toBe(fastFftSize(200))
  })

  it('crops to FFT-friendly sizes (factors 2, 3, 5)', () => {
    expect(fastFftSize(4096)).toBe(4096)
    expect(fastFftSize(4092)).toBe(4050)
    expect(fastFftSize(5760)).toBe(5760)
    expect(fastFftSize(1031)).toBe(1024)
  })
})
