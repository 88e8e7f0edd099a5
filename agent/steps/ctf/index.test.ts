import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {useTempDir} from '../../../core/formats/test-support/temp-dir.js'
import {simulateMicrograph} from '../../../scripts/simulator/movie.js'
import {fixedMovieOptions} from '../../../scripts/simulator/test-support.js'
import {CtfEstimationError, diagnosticFileName, estimateCtf, requireFinite} from './index.js'

describe('estimateCtf (MRC in, CtfResult + diagnostic PSD out)', () => {
  const temp = useTempDir('ctf-edge')
  const o = fixedMovieOptions({width: 1024, height: 1024, frames: 40, pixelSize: 1.1, defocusU: 18500, defocusV: 17000, defocusAngle: -25, seed: 21})
  const {image, truth} = simulateMicrograph(o)

  it('estimates from the file with the header pixel size and writes the diagnostic', async () => {
    const micrograph = temp('mic_0001.mrc')
    await writeMrc(micrograph, [image.data], {width: image.width, height: image.height, pixelSize: truth.pixelSize})
    const r = await estimateCtf(micrograph, temp('ctf'), {amplitudeContrast: truth.amplitudeContrast})
    expect(r.defocusU).toBeGreaterThanOrEqual(r.defocusV)
    expect(Math.abs(0.5 * (r.defocusU + r.defocusV) - 17750) / 17750).toBeLessThan(0.01)
    expect(Math.abs(r.defocusAngle - -25)).toBeLessThan(5)
    expect(r.phaseShift).toBe(0)
    expect(r.resolution).toBeGreaterThan(2 * truth.pixelSize)
    expect(r.resolution).toBeLessThan(10)
    expect(r.figureOfMerit).toBeGreaterThan(0.05)
    expect(r.profile!.frequency.length).toBe(r.profile!.fit.length)
    expect(r.psdImage).toBe(diagnosticFileName(micrograph, temp('ctf')))
    const psd = await readMrcImage(r.psdImage!)
    expect([psd.image.width, psd.image.height]).toEqual([512, 512])
    // The fit half is envelope * CTF^2 (never negative); the data half is background-subtracted.
    const fitHalf = psd.image.data.filter((_, i) => i % 512 >= 256)
    const dataHalf = psd.image.data.filter((_, i) => i % 512 < 256)
    expect(fitHalf.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(0)
    expect(dataHalf.reduce((a, b) => Math.min(a, b), Infinity)).toBeLessThan(0)
  }, 60_000)

  it('warns when the defocus search range excludes the real defocus', async () => {
    const micrograph = temp('range.mrc')
    await writeMrc(micrograph, [image.data], {width: image.width, height: image.height, pixelSize: truth.pixelSize})
    // Out of range, the best is a ring alias (weak fit) or the range's edge: never a silent result.
    for (const [minDefocus, maxDefocus] of [[25000, 40000], [3000, 12000]]) {
      const r = await estimateCtf(micrograph, temp('ctf3'), {amplitudeContrast: truth.amplitudeContrast, minDefocus, maxDefocus, writeDiagnostic: false})
      expect(r.warnings?.join(' ')).toMatch(/edge of the search range|weak Thon rings/)
    }
  }, 60_000)

  it('asks for a pixel size when the file records none', async () => {
    const micrograph = temp('no_pixel.mrc')
    await writeMrc(micrograph, [image.data], {width: image.width, height: image.height})
    await expect(estimateCtf(micrograph, temp('ctf'), {writeDiagnostic: false})).rejects.toThrowError(CtfEstimationError)
    await expect(estimateCtf(micrograph, temp('ctf'), {writeDiagnostic: false})).rejects.toThrowError(/pixelSize/)
  })

  it('uses an explicit pixel size and can skip the diagnostic', async () => {
    const micrograph = temp('explicit.mrc')
    await writeMrc(micrograph, [image.data], {width: image.width, height: image.height})
    const r = await estimateCtf(micrograph, temp('ctf2'), {pixelSize: truth.pixelSize, amplitudeContrast: truth.amplitudeContrast, writeDiagnostic: false})
    expect(r.psdImage).toBeUndefined()
    expect(r.warnings).toBeUndefined()
    expect(existsSync(diagnosticFileName(micrograph, temp('ctf2')))).toBe(false)
    expect(Math.abs(0.5 * (r.defocusU + r.defocusV) - 17750) / 17750).toBeLessThan(0.01)
  }, 60_000)
})

describe('requireFinite', () => {
  const fit = {defocusU: 21000, defocusV: 20500, defocusAngle: 30, phaseShift: 0, resolution: 4.2, figureOfMerit: 0.3, profile: {frequency: [0.01, 0.02], fit: [0.5, 0.4]}}
  it('passes a finite fit and fails one with NaN or infinite values, naming them', () => {
    expect(() => requireFinite('m.mrc', fit)).not.toThrow()
    const broken = {...fit, figureOfMerit: NaN, resolution: Infinity, profile: {...fit.profile, fit: [0.5, NaN]}}
    expect(() => requireFinite('m.mrc', broken)).toThrow(CtfEstimationError)
    expect(() => requireFinite('m.mrc', broken)).toThrow('m.mrc: gave no finite resolution, figureOfMerit, profile.fit: the spectrum has no usable Thon rings')
  })
})
