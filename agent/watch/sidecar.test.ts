import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseEpuXml, parseMdoc, readSidecar} from './sidecar.js'

const MDOC = `PixelSpacing = 1.06
Voltage = 300
ImageFile = movie.tif

[ZValue = 0]
TiltAngle = -0.01
ExposureDose = 52.5
TargetDefocus = -1.5
NumSubFrames = 40
DateTime = 08-Mar-23  14:05:09
SubFramePath = X:\\frames\\movie.tif

[ZValue = 1]
TiltAngle = 3.0
`

const EPU = `<?xml version="1.0"?><MicroscopeImage xmlns="http://schemas.datacontract.org/2004/07/Fei.SharedObjects">
<microscopeData><gun><AccelerationVoltage>300000</AccelerationVoltage></gun>
<stage><Position><A>0.0174533</A><B>0</B><X>1e-6</X></Position></stage>
<acquisition><acquisitionDateTime>2023-03-08T14:05:09.1+01:00</acquisitionDateTime></acquisition></microscopeData>
<CustomData><a:KeyValueOfstringanyType><a:Key>AppliedDefocus</a:Key><a:Value i:type="b:double">-1.2E-06</a:Value></a:KeyValueOfstringanyType>
<a:KeyValueOfstringanyType><a:Key>Dose</a:Key><a:Value i:type="b:double">4.5E+21</a:Value></a:KeyValueOfstringanyType></CustomData>
<SpatialScale><pixelSize><x><numericValue>8.3E-11</numericValue></x><y><numericValue>8.3E-11</numericValue></y></pixelSize></SpatialScale>
</MicroscopeImage>`

describe('sidecars', () => {
  it('reads a SerialEM .mdoc in A, kV, e/A^2, with the first exposure only', () => {
    const s = parseMdoc('m.mdoc', MDOC)
    expect(s).toMatchObject({pixelSize: 1.06, voltage: 300, totalDose: 52.5, frameCount: 40, tiltAngle: -0.01, acquiredAt: '2023-03-08T14:05:09'})
    expect(s.targetDefocus).toBeCloseTo(15000, 6)
    expect(s.values.ImageFile).toBe('movie.tif')
  })
  it('reads an EPU exposure XML from SI units', () => {
    const s = parseEpuXml('e.xml', EPU)
    expect(s.pixelSize).toBeCloseTo(0.83, 9)
    expect(s.voltage).toBe(300)
    expect(s.targetDefocus).toBeCloseTo(12000, 6)
    expect(s.totalDose).toBeCloseTo(45, 9)
    expect(s.tiltAngle).toBeCloseTo(1, 4)
    expect(s.acquiredAt).toBe('2023-03-08T14:05:09.1+01:00')
  })
  it('falls back to the optics defocus when EPU wrote no AppliedDefocus', () => {
    const withoutApplied = EPU.replace(/<a:KeyValueOfstringanyType><a:Key>AppliedDefocus[\s\S]*?<\/a:KeyValueOfstringanyType>/, '')
      .replace('<microscopeData>', '<microscopeData><optics><Defocus>-2.5E-06</Defocus></optics>')
    expect(parseEpuXml('e.xml', withoutApplied).targetDefocus).toBeCloseTo(25000, 6)
  })
  it('finds the sidecar by each program\'s naming, and none when absent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-'))
    writeFileSync(join(dir, 'FoilHole_1_Data_2_3_20230308_140509.xml'), EPU)
    writeFileSync(join(dir, 'tilt.tif.mdoc'), MDOC)
    expect((await readSidecar(join(dir, 'FoilHole_1_Data_2_3_20230308_140509_fractions.tiff')))?.format).toBe('epu-xml')
    expect((await readSidecar(join(dir, 'tilt.tif')))?.format).toBe('serialem-mdoc')
    expect(await readSidecar(join(dir, 'lonely.mrc'))).toBeUndefined()
  })
  it('names the file when a sidecar is not what it claims', () => {
    expect(() => parseEpuXml('/x/e.xml', '<html/>')).toThrow(/\/x\/e.xml.*MicroscopeImage/)
  })
})
