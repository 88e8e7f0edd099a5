import {mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Command} from '@oclif/core'
import {describe, expect, it, vi} from 'vitest'
import {blockLoop, findBlock, loopRecords, parseStar} from '../../core/formats/star.js'
import type {AgentEvent} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import Export from '../commands/export.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {exposurePaths} from './layout.js'
import {micrographsCtfStar, type ExportedMicrograph} from './relion-star.js'

const acquisition = {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1}
const workflow = validateWorkflow({acquisition, preview: {enabled: false}, monitors: {ctf: {maxResolution: 8}, picking: {minParticles: 2}}})

const loop = (text: string, block: string) => loopRecords(blockLoop(findBlock(parseStar(text), block)!)!)

describe('RELION STAR files', () => {
  const row = (pixelSize: number, phaseShift = 0): ExportedMicrograph => ({
    micrograph: 'MotionCorr/job001/Movies/a.mrc', pixelSize, totalMotion: 10, earlyMotion: 2, lateMotion: 8,
    defocusU: 15000, defocusV: 14000, defocusAngle: 30, phaseShift, resolution: 4, figureOfMerit: 0.2,
  })

  it('one optics group per micrograph pixel size, astigmatism as U - V, phase shift only when used', () => {
    const text = micrographsCtfStar([row(0.83), row(1.66), row(0.83)], workflow.acquisition)
    expect(text).toContain('# version 30001')
    const optics = loop(text, 'optics')
    expect(optics.map((o) => [o.rlnOpticsGroup, o.rlnMicrographPixelSize, o.rlnMicrographOriginalPixelSize])).toEqual([['1', '0.83', '0.83'], ['2', '1.66', '0.83']])
    const micrographs = loop(text, 'micrographs')
    expect(micrographs.map((m) => m.rlnOpticsGroup)).toEqual(['1', '2', '1'])
    expect(micrographs[0]).toMatchObject({rlnCtfAstigmatism: '1000', rlnCtfMaxResolution: '4'})
    expect(micrographs[0].rlnPhaseShift).toBeUndefined()
    expect(loop(micrographsCtfStar([row(1, 90)], workflow.acquisition), 'micrographs')[0].rlnPhaseShift).toBe('90')
  })

  it('refuses movie ids that would escape the export folder', () => {
    expect(exposurePaths('Grid1/sq2/m.tiff').coordinates).toBe('AutoPick/job003/Movies/Grid1/sq2/m_autopick.star')
    expect(() => exposurePaths('../etc/m.tiff')).toThrow(/"\.\." path parts cannot be exported/)
  })
})

describe('controller export', () => {
  it('--accepted-only leaves the rejected out; STAR paths are relative to DIR and the links resolve', async () => {
    const root = mkdtempSync(join(tmpdir(), 'export-'))
    // The agent's output files, on a disk this host sees.
    const events = ['m0', 'm1', 'm2'].flatMap((name, i): AgentEvent[] =>
      sampleMovieEvents(`Grid1/${name}.tiff`).map((e) => {
        if (e.kind !== 'stepFinished') return e
        if (e.step === 'motion') return {...e, result: {...e.result, micrograph: join(root, 'out', `${name}.mrc`)}}
        if (e.step === 'picking') return {...e, result: {...e.result, coordinatesFile: join(root, 'out', `${name}_autopick.star`)}}
        if (e.step === 'ctf') return {...e, result: {...e.result, resolution: i === 1 ? 12 : 4, psdImage: undefined}}
        return e
      }),
    )
    mkdirSync(join(root, 'out'))
    for (const name of ['m0', 'm1', 'm2']) {
      writeFileSync(join(root, 'out', `${name}.mrc`), 'not really an MRC')
      writeFileSync(join(root, 'out', `${name}_autopick.star`), `data_\nloop_\n_rlnCoordinateX #1\n_rlnCoordinateY #2\n10 20\n`)
    }
    const projectsDir = join(root, 'projects')
    await createProject({projectsDir, name: 'apo', workflow})
    const project = await Project.open(projectLayout(projectsDir, 'apo'))
    for (const m of asEventMessages('agent-1', events)) project.ingest(m)
    await project.close()

    const outDir = join(root, 'relion')
    const summary = JSON.parse(await runExport(['--name', 'apo', '--dir', projectsDir, '--format', 'relion', '--out', outDir, '--accepted-only', '--json']))
    expect(summary).toMatchObject({micrographs: 2, withCoordinates: 2, missing: []})
    expect(summary.skipped).toEqual([{movie: 'Grid1/m1.tiff', reason: 'rejected: CTF fit resolution 12 A > ctf.maxResolution 8'}])

    const corrected = loop(readFileSync(join(outDir, 'corrected_micrographs.star'), 'utf8'), 'micrographs')
    expect(corrected.map((m) => m.rlnMicrographName)).toEqual(['MotionCorr/job001/Movies/Grid1/m0.mrc', 'MotionCorr/job001/Movies/Grid1/m2.mrc'])
    expect(corrected[0]).toMatchObject({rlnAccumMotionTotal: '18.2', rlnAccumMotionEarly: '6.1', rlnAccumMotionLate: '12.1'})
    const link = join(outDir, corrected[0].rlnMicrographName)
    expect(readlinkSync(link).startsWith('../')).toBe(true)
    expect(resolve(dirname(link), readlinkSync(link))).toBe(join(root, 'out', 'm0.mrc'))
    expect(readFileSync(join(outDir, 'AutoPick/job003/Movies/Grid1/m2_autopick.star'), 'utf8')).toContain('10 20')
    expect(readFileSync(join(outDir, 'AutoPick/job003/coords_suffix_autopick.star'), 'utf8')).toBe('micrographs_ctf.star\n')
    const ctf = loop(readFileSync(join(outDir, 'micrographs_ctf.star'), 'utf8'), 'micrographs')
    expect(ctf.map((m) => [m.rlnDefocusU, m.rlnDefocusV, m.rlnDefocusAngle])).toEqual([['15230', '14810', '33.5'], ['15230', '14810', '33.5']])
    expect(ctf[0].rlnCtfImage).toBeUndefined() // no spectra were written

    const all = JSON.parse(await runExport(['--name', 'apo', '--dir', projectsDir, '--out', outDir, '--json']))
    expect(all.micrographs).toBe(3)
  })
})

const root = dirname(dirname(fileURLToPath(import.meta.url)))

async function runExport(argv: string[]): Promise<string> {
  let out = ''
  const spy = vi.spyOn(Command.prototype, 'log').mockImplementation((line = '') => void (out += `${line}\n`))
  try {
    await Export.run(argv, root)
  } finally {
    spy.mockRestore()
  }
  return out
}
