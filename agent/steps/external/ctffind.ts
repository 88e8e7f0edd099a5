// CTFFIND4 / CTFFIND5 adapter: answers the documented questions on stdin, in their order, then
// reads <diag>.txt and <diag>_avrot.txt. The major version (from --version) decides whether the
// v5 questions (tilt, thickness) are asked.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {CtfResult} from '../../../core/results/index.js'
import type {CtfOptions} from '../ctf/options.js'
import {degrees, radians, toCtfResult} from './ctf-mapping.js'
import {parseCtffindAvrot, parseCtffindTxt} from './ctffind-output.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {prepareWorkFolder, requireOutput} from './work-folder.js'

const yesNo = (b: boolean) => (b ? 'yes' : 'no')

export function ctffindMajorVersion(version: string): number {
  const major = Number(/^(\d+)/.exec(version)?.[1])
  return Number.isFinite(major) ? major : 4
}

/** The answers, one per line, in the order CTFFIND asks (single-image input: no movie questions). */
export function ctffindAnswers(input: string, diagnostic: string, o: CtfOptions, pixelSize: number, major: number): string[] {
  const answers = [
    input,
    diagnostic,
    String(pixelSize),
    String(o.voltage),
    String(o.sphericalAberration),
    String(o.amplitudeContrast),
    String(o.boxSize),
    String(o.minResolution),
    String(o.maxResolution),
    String(o.minDefocus),
    String(o.maxDefocus),
    String(o.defocusStep),
    'no', // astigmatism known?
    'no', // slower, exhaustive search?
    'no', // restrain astigmatism?
    yesNo(o.findPhaseShift),
  ]
  // CTFFIND asks for the phase shift range in radians.
  if (o.findPhaseShift) answers.push(...[o.minPhaseShift, o.maxPhaseShift, o.phaseShiftStep].map((d) => String(radians(d))))
  if (major >= 5) answers.push('no', 'no') // determine tilt? determine thickness?
  answers.push('no') // expert options?
  return answers
}

export async function estimateCtfWithCtffind(
  micrographPath: string,
  outDir: string,
  options: CtfOptions,
  external: ExternalSettings,
  signal?: AbortSignal,
): Promise<WithProvenance<CtfResult>> {
  const program = await prepareProgram('ctffind', external.executable)
  const work = await prepareWorkFolder(micrographPath, outDir)
  if (!(options.pixelSize > 0)) throw new Error('ctffind: options.pixelSize must be set (A/px)')
  const major = ctffindMajorVersion(program.version)
  const answers = ctffindAnswers(work.input, 'diagnostic.mrc', options, options.pixelSize, major)
  const run = await runProgram({
    program: 'ctffind',
    executable: program.executable,
    args: external.extraArgs,
    cwd: work.dir,
    stdin: `${answers.join('\n')}\n`,
    timeoutSeconds: external.timeoutSeconds,
    signal,
  })
  const txt = await requireOutput('ctffind', join(work.dir, 'diagnostic.txt'), run.argv, run.stderrTail)
  const line = parseCtffindTxt(await readFile(txt, 'utf8'), txt)
  const avrotPath = await requireOutput('ctffind', join(work.dir, 'diagnostic_avrot.txt'), run.argv, run.stderrTail)
  const avrot = parseCtffindAvrot(await readFile(avrotPath, 'utf8'), avrotPath)
  const result = toCtfResult(
    {
      defocusU: line.defocus1,
      defocusV: line.defocus2,
      angle: line.azimuth,
      phaseShiftDegrees: degrees(line.phaseShiftRad),
      resolution: line.resolution,
      figureOfMerit: line.crossCorrelation,
    },
    options.minResolution,
  )
  return {
    ...result,
    psdImage: join(work.dir, 'diagnostic.mrc'),
    profile: {frequency: avrot.frequency, spectrum: avrot.astigmatismAware, fit: avrot.fit, correlation: avrot.correlation},
    provenance: {...provenanceOf('ctffind', program.version, work.dir, run), stdin: answers},
  }
}
