// Gctf adapter (GPU): command-line options (Gctf 1.06 usage), results from the --ctfstar STAR
// (rlnDefocusU/V, rlnDefocusAngle, rlnCtfFigureOfMerit, rlnFinalResolution, rlnPhaseShift in
// degrees) or, when absent, from <input>_gctf.log as RELION 3.1 reads it: the line ending
// "Final Values" (U V angle [phase] CC) and "Resolution limit estimated by EPA: ... <A>".
import {access, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {blockLoop, loopRecords, parseStar, type StarLoop} from '../../../core/formats/star.js'
import type {CtfResult} from '../../../core/results/index.js'
import type {CtfOptions} from '../ctf/options.js'
import {toCtfResult, type RawCtf} from './ctf-mapping.js'
import {ExternalProgramError} from './errors.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {prepareWorkFolder, requireOutput} from './work-folder.js'

const STAR = 'gctf.star'

export function gctfArgs(input: string, o: CtfOptions, s: ExternalSettings): string[] {
  const args = ['--apix', String(o.pixelSize), '--kV', String(o.voltage), '--Cs', String(o.sphericalAberration), '--ac', String(o.amplitudeContrast)]
  args.push('--boxsize', String(o.boxSize), '--resL', String(o.minResolution), '--resH', String(o.maxResolution))
  args.push('--defL', String(o.minDefocus), '--defH', String(o.maxDefocus), '--defS', String(o.defocusStep), '--astm', String(o.maxAstigmatism))
  if (o.findPhaseShift) args.push('--phase_shift_L', String(o.minPhaseShift), '--phase_shift_H', String(o.maxPhaseShift), '--phase_shift_S', String(o.phaseShiftStep), '--phase_shift_T', '1')
  args.push('--gid', String(s.gpuIds[0] ?? 0), '--ctfstar', STAR, ...s.extraArgs)
  // The micrograph comes last, after every option.
  return [...args, input]
}

export function parseGctfStar(text: string, file: string): RawCtf {
  const loop = parseStar(text, file)
    .blocks.map((b) => blockLoop(b))
    .find((l): l is StarLoop => !!l && l.columns.includes('rlnDefocusU'))
  const row = loop && loopRecords(loop)[0]
  if (!row) throw new ExternalProgramError('Gctf', 'unparseable', `${file}: no loop with rlnDefocusU`)
  return {
    defocusU: Number(row.rlnDefocusU),
    defocusV: Number(row.rlnDefocusV),
    angle: Number(row.rlnDefocusAngle),
    phaseShiftDegrees: row.rlnPhaseShift === undefined ? 0 : Number(row.rlnPhaseShift),
    resolution: Number(row.rlnFinalResolution ?? row.rlnCtfMaxResolution),
    figureOfMerit: Number(row.rlnCtfFigureOfMerit),
  }
}

export function parseGctfLog(text: string, file: string, phaseShift: boolean): RawCtf {
  const finalLine = text.split(/\r?\n/).findLast((l) => /Final Values\s*$/.test(l))
  const words = finalLine?.trim().split(/\s+/).slice(0, -2).map(Number) ?? []
  const epa = /^\s*Resolution limit estimated by EPA:.*?(\S+)\s*$/m.exec(text)
  if (words.length !== (phaseShift ? 5 : 4) || words.some((w) => Number.isNaN(w)) || !epa) {
    throw new ExternalProgramError('Gctf', 'unparseable', `${file}: no "... Final Values" line with ${phaseShift ? 5 : 4} numbers, or no EPA resolution line`)
  }
  return {
    defocusU: words[0],
    defocusV: words[1],
    angle: words[2],
    phaseShiftDegrees: phaseShift ? words[3] : 0,
    figureOfMerit: words[words.length - 1],
    resolution: Number(epa[1]),
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

export async function estimateCtfWithGctf(micrographPath: string, outDir: string, options: CtfOptions, settings: ExternalSettings, signal?: AbortSignal): Promise<WithProvenance<CtfResult>> {
  if (!(options.pixelSize > 0)) throw new ExternalProgramError('Gctf', 'bad-option', 'pixelSize must be set (A/px)')
  const program = await prepareProgram('gctf', settings.executable)
  const work = await prepareWorkFolder(micrographPath, outDir)
  const run = await runProgram({program: 'Gctf', executable: program.executable, args: gctfArgs(work.input, options, settings), cwd: work.dir, timeoutSeconds: settings.timeoutSeconds, signal})
  const base = work.input.replace(/\.[^.]+$/, '')
  const starPath = join(work.dir, STAR)
  const raw = (await exists(starPath))
    ? parseGctfStar(await readFile(starPath, 'utf8'), starPath)
    : parseGctfLog(await readFile(await requireOutput('Gctf', join(work.dir, `${base}_gctf.log`), run.argv, run.stderrTail), 'utf8'), `${base}_gctf.log`, options.findPhaseShift)
  return {
    ...toCtfResult(raw, options.minResolution),
    psdImage: join(work.dir, `${base}.ctf`),
    provenance: provenanceOf('Gctf', program.version, work.dir, run),
  }
}
