// relion_run_ctffind adapter: RELION 3.1 driving CTFFIND 4.1 (RELION writes CTFFIND's stdin
// answers to a csh here-document, so csh must be installed). Numbers come from RELION's
// micrographs_ctf.star (phase shift already in degrees), the profile from CTFFIND's
// _avrot.txt, then our conventions (U >= V, angle in (-90, 90]).
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../../core/formats/star.js'
import type {CtfResult} from '../../../core/results/index.js'
import type {CtfOptions} from '../ctf/options.js'
import {toCtfResult} from './ctf-mapping.js'
import {parseCtffindAvrot} from './ctffind-output.js'
import {ExternalProgramError} from './errors.js'
import {prepareProgram} from './prepare.js'
import {provenanceOf, type WithProvenance} from './provenance.js'
import {micrographsStar} from './relion-input-star.js'
import {runProgram} from './run-program.js'
import type {ExternalSettings} from './settings.js'
import {fileArg, prepareWorkFolder, requireOutput} from './work-folder.js'

export interface RelionCtffindSettings extends ExternalSettings {
  /** CTFFIND for RELION to run; empty = located like the ctffind program (env, PATH). */
  ctffindExecutable?: string
}

/** RELION writes rlnCtfMaxResolution 999 when CTFFIND found no rings ("inf"). */
const RELION_NO_FIT = 999

export function relionCtffindArgs(o: CtfOptions, ctffind: string, s: ExternalSettings): string[] {
  const args = ['--i', 'micrographs.star', '--o', 'out/', '--ctffind_exe', fileArg(ctffind), '--is_ctffind4', '--j', '1']
  args.push('--CS', String(o.sphericalAberration), '--HT', String(o.voltage), '--AmpCnst', String(o.amplitudeContrast), '--angpix', String(o.pixelSize))
  args.push('--Box', String(o.boxSize), '--ResMin', String(o.minResolution), '--ResMax', String(o.maxResolution))
  args.push('--dFMin', String(o.minDefocus), '--dFMax', String(o.maxDefocus), '--FStep', String(o.defocusStep), '--dAst', String(o.maxAstigmatism))
  if (o.findPhaseShift) args.push('--do_phaseshift', '--phase_min', String(o.minPhaseShift), '--phase_max', String(o.maxPhaseShift), '--phase_step', String(o.phaseShiftStep))
  return [...args, ...s.extraArgs]
}

export async function estimateCtfWithRelionCtffind(
  micrographPath: string,
  outDir: string,
  options: CtfOptions,
  settings: RelionCtffindSettings,
  signal?: AbortSignal,
): Promise<WithProvenance<CtfResult>> {
  if (!(options.pixelSize > 0)) throw new ExternalProgramError('relion_run_ctffind', 'bad-option', 'pixelSize must be set (A/px)')
  const program = await prepareProgram('relion-ctffind', settings.executable)
  const ctffind = await prepareProgram('ctffind', settings.ctffindExecutable)
  const work = await prepareWorkFolder(micrographPath, outDir)
  const star = micrographsStar(work.input, options.pixelSize, {voltage: options.voltage, sphericalAberration: options.sphericalAberration, amplitudeContrast: options.amplitudeContrast})
  await writeFile(join(work.dir, 'micrographs.star'), star)
  const run = await runProgram({
    program: 'relion_run_ctffind',
    executable: program.executable,
    args: relionCtffindArgs(options, ctffind.executable, settings),
    cwd: work.dir,
    timeoutSeconds: settings.timeoutSeconds,
    signal,
  })
  const listPath = await requireOutput('relion_run_ctffind', join(work.dir, 'out', 'micrographs_ctf.star'), run.argv, run.stderrTail)
  const block = findBlock(parseStar(await readFile(listPath, 'utf8'), listPath), 'micrographs')
  const row = block && blockLoop(block) && loopRecords(blockLoop(block)!)[0]
  if (!row) {
    // RELION exits 0 and leaves the micrograph out when it cannot read CTFFIND's results.
    const why = /WARNING[^\n]*/.exec(run.stdout)?.[0] ?? 'no row in micrographs_ctf.star'
    throw new ExternalProgramError('relion_run_ctffind', 'missing-output', `no CTF values for ${micrographPath}: ${why}`, run.argv, run.stderrTail)
  }
  const base = work.input.replace(/\.[^.]+$/, '')
  const avrotPath = await requireOutput('relion_run_ctffind', join(work.dir, 'out', `${base}_avrot.txt`), run.argv, run.stderrTail)
  const avrot = parseCtffindAvrot(await readFile(avrotPath, 'utf8'), avrotPath)
  const maxResolution = Number(row.rlnCtfMaxResolution)
  const result = toCtfResult(
    {
      defocusU: Number(row.rlnDefocusU),
      defocusV: Number(row.rlnDefocusV),
      angle: Number(row.rlnDefocusAngle),
      phaseShiftDegrees: row.rlnPhaseShift === undefined ? 0 : Number(row.rlnPhaseShift),
      resolution: maxResolution >= RELION_NO_FIT ? Infinity : maxResolution,
      figureOfMerit: Number(row.rlnCtfFigureOfMerit),
    },
    options.minResolution,
  )
  return {
    ...result,
    psdImage: join(work.dir, 'out', `${base}.ctf`),
    profile: {frequency: avrot.frequency, spectrum: avrot.astigmatismAware, fit: avrot.fit, correlation: avrot.correlation},
    provenance: {...provenanceOf('relion_run_ctffind', program.version, work.dir, run), ctffind: {path: ctffind.executable, version: ctffind.version}},
  }
}
