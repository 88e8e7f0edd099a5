// Acquisition metadata written beside a movie: EPU's per-exposure XML and SerialEM's .mdoc.
// Read when present (they are optional) and kept with the movie, in the units emstream uses.
import {openForReading} from '../../core/formats/file-range.js'
import {basename, dirname, extname, join} from 'node:path'

export interface MovieSidecar {
  file: string
  format: 'epu-xml' | 'serialem-mdoc'
  /** A/pixel. */
  pixelSize?: number
  /** kV. */
  voltage?: number
  /** Nominal defocus (A, positive = underfocus). */
  targetDefocus?: number
  /** Total exposure (e/A^2). */
  totalDose?: number
  frameCount?: number
  /** ISO 8601 as written (no time zone is recorded by either program). */
  acquiredAt?: string
  /** Stage tilt (degrees). */
  tiltAngle?: number
  /** Every raw key/value the file held that emstream does not interpret. */
  values: Record<string, string>
}

/** Where each program writes the sidecar of a movie, most specific first. */
export function sidecarCandidates(moviePath: string): {path: string; format: MovieSidecar['format']}[] {
  const dir = dirname(moviePath)
  const name = basename(moviePath)
  const stem = name.slice(0, name.length - extname(name).length)
  // EPU names the movie <exposure>_fractions.tiff / _Fractions.mrc / _EER.eer, the XML <exposure>.xml.
  const exposure = stem.replace(/_(fractions|EER)$/i, '')
  return [
    {path: `${moviePath}.mdoc`, format: 'serialem-mdoc'},
    {path: join(dir, `${stem}.mdoc`), format: 'serialem-mdoc'},
    {path: join(dir, `${exposure}.xml`), format: 'epu-xml'},
  ]
}

/** A sidecar's text; a FIFO or device under a sidecar's name is refused, not waited on. */
async function readText(path: string): Promise<string> {
  const handle = await openForReading(path)
  try {
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

/** The first sidecar found beside the movie, or undefined. A malformed sidecar throws SidecarError. */
export async function readSidecar(moviePath: string): Promise<MovieSidecar | undefined> {
  for (const candidate of sidecarCandidates(moviePath)) {
    let text: string
    try {
      text = await readText(candidate.path)
    } catch {
      continue
    }
    return candidate.format === 'epu-xml' ? parseEpuXml(candidate.path, text) : parseMdoc(candidate.path, text)
  }
  return undefined
}

export class SidecarError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'SidecarError'
  }
}

/** SerialEM .mdoc: "Key = Value" lines; the global header, then [ZValue = n] sections. We keep the first exposure. */
export function parseMdoc(file: string, text: string): MovieSidecar {
  const values: Record<string, string> = {}
  let sections = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line.startsWith('[')) {
      if (/^\[ZValue\s*=/i.test(line) && ++sections > 1) break
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  if (Object.keys(values).length === 0) throw new SidecarError(file, 'no "Key = Value" lines: not a SerialEM .mdoc')
  const take = (key: string): number | undefined => {
    const v = values[key]
    if (v === undefined) return undefined
    delete values[key]
    const n = Number(v.split(/\s+/)[0])
    return Number.isFinite(n) ? n : undefined
  }
  const sidecar: MovieSidecar = {file, format: 'serialem-mdoc', values}
  assign(sidecar, 'pixelSize', take('PixelSpacing'))
  assign(sidecar, 'voltage', take('Voltage'))
  const defocusUm = take('TargetDefocus')
  // SerialEM writes underfocus as negative micrometres.
  if (defocusUm !== undefined) sidecar.targetDefocus = -defocusUm * 1e4
  assign(sidecar, 'totalDose', take('ExposureDose'))
  assign(sidecar, 'frameCount', take('NumSubFrames'))
  assign(sidecar, 'tiltAngle', take('TiltAngle'))
  if (values.DateTime) {
    sidecar.acquiredAt = mdocDateToIso(values.DateTime)
    delete values.DateTime
  }
  return sidecar
}

/** EPU exposure XML (a serialised .NET MicroscopeImage): SI units, picked by element or custom-data key. */
export function parseEpuXml(file: string, text: string): MovieSidecar {
  if (!/<MicroscopeImage\b/.test(text)) throw new SidecarError(file, 'no <MicroscopeImage> element: not an EPU exposure XML')
  const sidecar: MovieSidecar = {file, format: 'epu-xml', values: {}}
  const pixelM = firstNumber(text, /<pixelSize>\s*<x>\s*<numericValue>([^<]+)<\/numericValue>/)
  if (pixelM !== undefined) sidecar.pixelSize = pixelM * 1e10
  const voltageV = firstNumber(text, /<AccelerationVoltage>([^<]+)<\/AccelerationVoltage>/)
  if (voltageV !== undefined) sidecar.voltage = voltageV / 1000
  // EPU writes underfocus as negative metres; files without the AppliedDefocus custom entry
  // still carry the optics' current defocus.
  const defocusM = customValue(text, 'AppliedDefocus') ?? firstNumber(text, /<optics>[\s\S]*?<Defocus>([^<]+)<\/Defocus>/)
  if (defocusM !== undefined) sidecar.targetDefocus = -defocusM * 1e10
  const doseM2 = customValue(text, 'Dose')
  // EPU's custom "Dose" is electrons per square metre.
  if (doseM2 !== undefined) sidecar.totalDose = doseM2 * 1e-20
  const frames = firstNumber(text, /<NumberOffractions>([^<]+)<\/NumberOffractions>/i)
  if (frames !== undefined) sidecar.frameCount = frames
  const date = /<acquisitionDateTime>([^<]+)<\/acquisitionDateTime>/.exec(text)?.[1]?.trim()
  if (date) sidecar.acquiredAt = date
  const alpha = firstNumber(text, /<Position>[\s\S]*?<A>([^<]+)<\/A>/)
  if (alpha !== undefined) sidecar.tiltAngle = (alpha * 180) / Math.PI
  return sidecar
}

function customValue(text: string, key: string): number | undefined {
  const re = new RegExp(`<a:Key>${key}</a:Key>\\s*<a:Value[^>]*>([^<]+)</a:Value>`)
  return firstNumber(text, re)
}

function firstNumber(text: string, re: RegExp): number | undefined {
  const m = re.exec(text)
  if (!m) return undefined
  const n = Number(m[1].trim())
  return Number.isFinite(n) ? n : undefined
}

function assign<K extends 'pixelSize' | 'voltage' | 'totalDose' | 'frameCount' | 'tiltAngle'>(
  sidecar: MovieSidecar,
  key: K,
  value: number | undefined,
): void {
  if (value !== undefined) sidecar[key] = value
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** SerialEM writes "08-Mar-23  14:05:09" (dd-Mon-yy); returns "2023-03-08T14:05:09", or the text unchanged. */
function mdocDateToIso(text: string): string {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim())
  const month = m ? MONTHS.indexOf(m[2].toLowerCase()) + 1 : 0
  if (!m || month === 0) return text
  const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])
  const pad = (v: string | number) => String(v).padStart(2, '0')
  return `${year}-${pad(month)}-${pad(m[1])}T${pad(m[4])}:${m[5]}:${m[6]}`
}
