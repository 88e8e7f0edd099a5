import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Command} from '@oclif/core'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import type {AgentEvent, EventMessage} from '../../core/protocol/index.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import Curate from '../commands/curate.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {startServer, type ControllerServer} from '../server/server.js'
import {applyCuration} from './apply.js'
import {curateExposure} from './curate.js'
import {curateProject} from './read.js'
import {CurationError, withSettings, workflowThresholds} from './thresholds.js'

const workflow = validateWorkflow({
  acquisition: {inputFolder: '/data/in', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
  preview: {enabled: false},
  monitors: {ctf: {maxResolution: 8}, picking: {minParticles: 2}},
})
const thresholds = workflowThresholds(workflow)

/** Events of movies with the given CTF fit resolutions; the last movie's motion fails for good when `failLast`. */
function events(resolutions: number[], failLast = false): EventMessage[] {
  const all = resolutions.flatMap((resolution, i): AgentEvent[] => {
    const movie = `Grid1/m${i}.tiff`
    const normal = sampleMovieEvents(movie).map((e) => (e.kind === 'stepFinished' && e.step === 'ctf' ? {...e, result: {...e.result, resolution}} : e))
    if (!(failLast && i === resolutions.length - 1)) return normal
    return [normal[0], normal[1], {kind: 'stepFailed', movie, step: 'motion', version: 1, error: 'movie is truncated', willRetry: false, attempt: 3}]
  })
  return asEventMessages('agent-1', all)
}

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function newProject() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'curation-'))
  await createProject({projectsDir, name: 'apo', workflow})
  return {projectsDir, layout: projectLayout(projectsDir, 'apo')}
}

describe('exposure curation', () => {
  it('rejects with a reason per threshold crossed', () => {
    const decision = curateExposure(
      {movie: 'a', state: 'done', failedStep: null, error: null, motion: {totalMotion: 60, earlyMotion: 3},
        ctf: {defocusU: 45000, defocusV: 44000, astigmatism: 100, resolution: 9}, particles: {count: 1}},
      thresholds,
    )
    expect(decision.accepted).toBe(false)
    expect(decision.reasons.map((r) => r.rule)).toEqual(['motion.maxTotalMotion', 'ctf.maxResolution', 'ctf.maxDefocus', 'picking.minParticles'])
    expect(decision.reasons[1].message).toBe('CTF fit resolution 9 A > ctf.maxResolution 8')
    const good = curateExposure({movie: 'b', state: 'done', failedStep: null, error: null, ctf: {defocusU: 15000, defocusV: 14000, astigmatism: 100, resolution: 4}}, thresholds)
    expect(good).toEqual({movie: 'b', accepted: true, reasons: []})
  })

  it('--set names the setting that is wrong', () => {
    expect(withSettings(thresholds, ['ctf.maxResolution=5']).ctf.maxResolution).toBe(5)
    expect(() => withSettings(thresholds, ['ctf.maxResolutoin=5'])).toThrow(/ctf.maxResolutoin: is not a curation threshold; they are: ctf.minDefocus/)
    expect(() => withSettings(thresholds, ['motion.maxTotalMotion=lots'])).toThrow(CurationError)
  })

  it('changed thresholds re-evaluate every micrograph so far and are kept in the project', async () => {
    const {layout} = await newProject()
    const project = await Project.open(layout)
    for (const m of events([4, 6, 9, 3], true)) project.ingest(m)
    const before = curateProject(project.db, workflow)
    expect(before.decisions.map((d) => [d.movie, d.accepted])).toEqual([['Grid1/m0.tiff', true], ['Grid1/m1.tiff', true], ['Grid1/m2.tiff', false], ['Grid1/m3.tiff', false]])
    expect(before.decisions[3].reasons[0].message).toBe('processing failed in motion: movie is truncated')
    const after = applyCuration(project, ['ctf.maxResolution=5'])
    expect(after.decisions.map((d) => d.accepted)).toEqual([true, false, false, false])
    expect(after.summary).toMatchObject({accepted: 1, rejected: 3, reasons: [{rule: 'ctf.maxResolution', count: 2}, {rule: 'failed', count: 1}]})
    await project.close()
    const reopened = await Project.open(layout, {readOnly: true})
    expect(curateProject(reopened.db, workflow).thresholds.ctf.maxResolution).toBe(5)
    await reopened.close()
  })

  it('`controller curate --set` goes through a serving controller', async () => {
    const {projectsDir} = await newProject()
    const server: ControllerServer = await startServer({projectsDir, port: 0, log: () => {}})
    cleanup.push(() => server.close())
    const entry = (await server.registry.get('apo'))!
    for (const m of events([4, 6, 9])) entry.project.ingest(m)
    const out = await runCommand(['--name', 'apo', '--dir', projectsDir, '--set', 'ctf.maxResolution=5', '--list'])
    expect(out).toMatch(/ctf\.maxResolution=5 /)
    expect(out).toMatch(/^1 accepted, 2 rejected$/m)
    expect(out).toMatch(/^rejected Grid1\/m1.tiff: CTF fit resolution 6 A > ctf.maxResolution 5$/m)
    await expect(runCommand(['--name', 'apo', '--dir', projectsDir, '--set', 'ctf.bogus=1'])).rejects.toMatchObject({
      message: expect.stringMatching(/ctf.bogus: is not a curation threshold/),
      oclif: {exit: 2},
    })
  })
})

const root = dirname(dirname(fileURLToPath(import.meta.url)))

async function runCommand(argv: string[]): Promise<string> {
  let out = ''
  const spy = vi.spyOn(Command.prototype, 'log').mockImplementation((line = '') => void (out += `${line}\n`))
  try {
    await Curate.run(argv, root)
  } finally {
    spy.mockRestore()
  }
  return out
}
