// Peer check of the conventions: RELION's own CTF simulator (relion_ctf_toolbox --simulate, a
// centred box with ky down the file's rows) squared and fitted must give back RELION's U, V,
// angle and phase shift exactly: same formula, same U >= V, same angle from +x toward +y.
import {execFileSync} from 'node:child_process'
import {expect, it} from 'vitest'
import {readMrcImage} from '../../../core/formats/mrc-read.js'
import {useTempDir} from '../../../core/formats/test-support/temp-dir.js'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {estimateCtfOfSpectrum} from './estimate.js'
import {resolveCtfOptions} from './options.js'
import {spectrumColumns} from './power-spectrum.js'

const box = 512
const pixelSize = 1.4

describeWithTools({commands: ['relion_ctf_toolbox']}, 'CTF conventions against RELION', () => {
  const temp = useTempDir('ctf-relion')

  it.each([
    {defU: 20000, defV: 15000, defAng: 30, phase: 0},
    {defU: 9000, defV: 8000, defAng: -60, phase: 0},
    {defU: 31000, defV: 29500, defAng: 85, phase: 0},
    {defU: 7000, defV: 6000, defAng: 10, phase: 60},
  ])('recovers relion_ctf_toolbox --simulate %j', async ({defU, defV, defAng, phase}) => {
    const file = temp(`ctf_${defU}_${defAng}.mrc`)
    execFileSync('relion_ctf_toolbox', ['--simulate', file, '--angpix', `${pixelSize}`, '--box', `${box}`, '--kV', '300', '--Cs', '2.7', '--Q0', '0.07',
      '--defU', `${defU}`, '--defV', `${defV}`, '--defAng', `${defAng}`, '--phase_shift', `${phase}`], {stdio: 'ignore'})
    const {image} = await readMrcImage(file)
    const columns = spectrumColumns(box)
    const power = new Float32Array(columns * box)
    // Half plane kx >= 0 of the centred image, on a flat background.
    for (let r = 0; r < box; r++) for (let c = 0; c < columns && box / 2 + c < box; c++) power[r * columns + c] = 1 + image.data[r * box + box / 2 + c] ** 2
    const e = estimateCtfOfSpectrum({box, pixelSize, power, samplesPerPixel: 1}, resolveCtfOptions({amplitudeContrast: 0.07, findPhaseShift: phase > 0, minResolution: 40, maxResolution: 4}))
    expect(e.defocusU).toBeCloseTo(defU, -1)
    expect(e.defocusV).toBeCloseTo(defV, -1)
    expect(e.defocusAngle).toBeCloseTo(defAng, 0)
    expect(e.phaseShift).toBeCloseTo(phase, 0)
    expect(e.figureOfMerit).toBeGreaterThan(0.95)
  })
})
