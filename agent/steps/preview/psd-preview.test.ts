import {describe, expect, it} from 'vitest'
import {ctfTerms, ctfValue} from '../../../core/ctf/ctf-model.js'
import {realFft2D} from '../../../core/numeric/fft.js'
import {createImage} from '../../../core/numeric/image.js'
import type {CtfResult} from '../../../core/results/index.js'
import {createRng} from '../../../scripts/simulator/rng.js'
import {averagePowerSpectrum} from '../ctf/power-spectrum.js'
import {renderPsdWithFit} from './psd-preview.js'

const optics = {voltage: 300, sphericalAberration: 2.7, amplitudeContrast: 0.07}
const truth: CtfResult = {defocusU: 16000, defocusV: 14000, defocusAngle: 30, phaseShift: 0, resolution: 4, figureOfMerit: 0.5}

/** White noise imaged through a CTF: its power spectrum is CTF^2 times a constant. */
function ctfNoise(n: number, pixelSize: number) {
  const rng = createRng(4, 'psd')
  const data = new Float32Array(n * n)
  for (let i = 0; i < data.length; i++) data[i] = rng.normal()
  const fft = realFft2D(n, n)
  const s = fft.forward(data)
  const t = ctfTerms({...optics, ...truth})
  const cols = n / 2 + 1
  for (let j = 0; j < n; j++) {
    const ky = (j <= n / 2 ? j : j - n) / (n * pixelSize)
    for (let i = 0; i < cols; i++) {
      const kx = i / (n * pixelSize)
      const c = ctfValue(t, Math.hypot(kx, ky), Math.atan2(ky, kx))
      s[2 * (j * cols + i)] *= c
      s[2 * (j * cols + i) + 1] *= c
    }
  }
  return createImage(n, n, fft.inverse(s))
}

/**
 * Correlation of the left half with the point-mirrored right half (CTF(k) = CTF(-k)), where
 * the right half is drawn (mid-grey 128 = not drawn).
 */
function halvesCorrelation(data: Uint8Array, box: number): number {
  const a: number[] = []
  const b: number[] = []
  for (let v = 1; v < box; v++) {
    for (let u = 1; u < box / 2; u++) {
      const mu = box - u
      const mv = box - v
      if (data[mv * box + mu] === 128) continue
      a.push(data[v * box + u])
      b.push(data[mv * box + mu])
    }
  }
  const mean = (x: number[]) => x.reduce((s, y) => s + y, 0) / x.length
  const ma = mean(a)
  const mb = mean(b)
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb)
    saa += (a[i] - ma) ** 2
    sbb += (b[i] - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

describe('renderPsdWithFit', () => {
  const pixelSize = 1.4
  const ps = averagePowerSpectrum(ctfNoise(1024, pixelSize), pixelSize, {box: 256, resampledPixelSize: pixelSize})

  it('draws rings on the left that the fit on the right continues', () => {
    const r = renderPsdWithFit(ps, truth, optics, 50)
    expect([r.width, r.height, r.channels]).toEqual([256, 256, 1])
    const good = halvesCorrelation(r.data, 256)
    const wrong = halvesCorrelation(renderPsdWithFit(ps, {...truth, defocusU: 21000, defocusV: 19000}, optics, 50).data, 256)
    expect(good).toBeGreaterThan(0.5)
    expect(wrong).toBeLessThan(good - 0.3)
  })

  it('shows the measured spectrum on both halves without a fit, and greys the centre', () => {
    const r = renderPsdWithFit(ps, undefined, optics, 50)
    // Friedel symmetry: the two halves of a measured power spectrum are point mirrors.
    expect(halvesCorrelation(r.data, 256)).toBeGreaterThan(0.95)
    expect(r.data[128 * 256 + 128]).toBe(128)
  })
})
