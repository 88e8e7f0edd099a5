// Metadata files microscopes write beside each movie, holding the *nominal* acquisition
// values (the truth's defocus differs): EPU-like XML and SerialEM .mdoc.
import type {MovieTruth} from './truth.js'

export interface SidecarInput {
  truth: MovieTruth
  /** Movie file name the sidecar describes. */
  movieFile: string
  acquired: Date
  /** Exposure time (s), frames and image size. */
  exposureTime: number
}

/** EPU MicroscopeImage XML (SI units as EPU writes them: m, V, e/m^2; defocus negative = underfocus). */
export function epuXml(s: SidecarInput): string {
  const t = s.truth
  const nominal = t.nominalDefocus ?? (t.defocusU + t.defocusV) / 2
  const totalDose = t.dosePerFrame * t.frames
  return `<?xml version="1.0" encoding="utf-8"?>
<MicroscopeImage xmlns="http://schemas.datacontract.org/2004/07/Fei.SharedObjects" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <name>${escapeXml(s.movieFile)}</name>
  <microscopeData>
    <acquisition>
      <acquisitionDateTime>${s.acquired.toISOString()}</acquisitionDateTime>
      <camera><ExposureTime>${s.exposureTime}</ExposureTime><NumberOfFractions>${t.frames}</NumberOfFractions><ReadoutArea><height>${t.height}</height><width>${t.width}</width></ReadoutArea></camera>
    </acquisition>
    <gun><AccelerationVoltage>${t.voltage * 1000}</AccelerationVoltage></gun>
    <optics><Defocus>${(-nominal * 1e-10).toExponential(6)}</Defocus><SphericalAberration>${t.sphericalAberration * 1e-3}</SphericalAberration></optics>
  </microscopeData>
  <SpatialScale><pixelSize><x><numericValue>${(t.pixelSize * 1e-10).toExponential(6)}</numericValue></x><y><numericValue>${(t.pixelSize * 1e-10).toExponential(6)}</numericValue></y></pixelSize></SpatialScale>
  <CustomData>
    <KeyValue><Key>Dose</Key><Value>${(totalDose * 1e20).toExponential(6)}</Value></KeyValue>
    <KeyValue><Key>DosePerFrame</Key><Value>${(t.dosePerFrame * 1e20).toExponential(6)}</Value></KeyValue>
    <KeyValue><Key>PhasePlateUsed</Key><Value>${t.phaseShift !== 0}</Value></KeyValue>
  </CustomData>
</MicroscopeImage>
`
}

/** SerialEM frame-stack .mdoc (Defocus in um, negative = underfocus; doses in e/A^2). */
export function serialEmMdoc(s: SidecarInput): string {
  const t = s.truth
  const nominal = t.nominalDefocus ?? (t.defocusU + t.defocusV) / 2
  return [
    `PixelSpacing = ${t.pixelSize}`,
    `Voltage = ${t.voltage}`,
    `ImageFile = ${s.movieFile}`,
    `ImageSize = ${t.width} ${t.height}`,
    '',
    '[ZValue = 0]',
    `ExposureDose = ${round(t.dosePerFrame * t.frames)}`,
    `PixelSpacing = ${t.pixelSize}`,
    `Defocus = ${round(-nominal / 1e4)}`,
    `TargetDefocus = ${round(-nominal / 1e4)}`,
    `ExposureTime = ${s.exposureTime}`,
    `NumSubFrames = ${t.frames}`,
    `FrameDosesAndNumber = ${round(t.dosePerFrame)} ${t.frames}`,
    `DateTime = ${serialEmDate(s.acquired)}`,
    `SubFramePath = ${s.movieFile}`,
    '',
  ].join('\n')
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4
}

function serialEmDate(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}-${months[d.getUTCMonth()]}-${p(d.getUTCFullYear() % 100)}  ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
