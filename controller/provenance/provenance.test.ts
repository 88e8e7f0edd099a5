import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Command} from '@oclif/core'
import {describe, expect, it, vi} from 'vitest'
import type {AgentEvent, StepFinished} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import ProvenanceCommand from '../commands/provenance.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {describeProvenance} from './describe.js'
import {traceMicrograph} from './trace.js'

const workflow = minimalWorkflow()

const CHECKSUM = `sha256:${'ab'.repeat(32)}`

/** A CTF re-run at version 2 with other parameters and another defocus. */
function ctfRerun(movie: string): AgentEvent[] {
  const finished = sampleMovieEvents(movie).find((e): e is StepFinished => e.kind === 'stepFinished' && e.step === 'ctf')!
  return [
    {kind: 'stepStarted', movie, step: 'ctf', version: 2, program: 'ctffind', attempt: 1},
    {
      ...finished,
      version: 2,
      result: {...finished.result, defocusU: 21000, defocusV: 20500} as never,
      run: {...finished.run, program: 'ctffind', version: '4.1.14', argv: ['ctffind', '--old-school-input'], parameters: {defocusMax: 40000}, exitStatus: 0},
    } as StepFinished,
  ]
}

async function projectWithTwoMovies() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'provenance-'))
  await createProject({projectsDir, name: 'apo', workflow})
  const project = await Project.open(projectLayout(projectsDir, 'apo'))
  const [found, ...rest] = sampleMovieEvents('Grid1/movie_1.tiff')
  const events = [{...found, checksum: CHECKSUM} as AgentEvent, ...rest, ...sampleMovieEvents('Grid2/movie_1.tiff'), ...ctfRerun('Grid1/movie_1.tiff')]
  for (const message of asEventMessages('agent-1', events)) project.ingest(message)
  await project.close()
  return projectsDir
}

describe('provenance', () => {
  it('traces a micrograph from its movie through every version of every step to the exported rows', async () => {
    const projectsDir = await projectWithTwoMovies()
    const project = await Project.open(projectLayout(projectsDir, 'apo'), {readOnly: true})
    try {
      const trace = traceMicrograph(project.db, 'apo', workflow, 'Grid1/movie_1.tiff')
      expect(trace.origin).toMatchObject({movie: 'Grid1/movie_1.tiff', path: '/data/in/Grid1/movie_1.tiff', sizeBytes: 1_234_567_890, format: 'tiff', agentId: 'agent-1', state: 'done', checksum: CHECKSUM})
      expect(trace.runs.map((r) => [r.step, r.version, r.current])).toEqual([
        ['motion', 1, true],
        ['ctf', 1, false],
        ['ctf', 2, true],
        ['picking', 1, true],
      ])
      const ctf2 = trace.runs[2]
      expect(ctf2).toMatchObject({program: 'ctffind', programVersion: '4.1.14', argv: ['ctffind', '--old-school-input'], parameters: {defocusMax: 40000}, exitStatus: 0, host: 'gpu-pc-1'})
      const ctfRow = trace.exported.find((r) => r.step === 'ctf')!
      expect(ctfRow).toMatchObject({file: 'micrographs_ctf.star', version: 2, values: {rlnDefocusU: 21000, rlnDefocusV: 20500}})
      expect(trace.exported.map((r) => r.file)).toEqual(['corrected_micrographs.star', 'micrographs_ctf.star', 'AutoPick/job003/Movies/Grid1/movie_1_autopick.star'])
      // Status counts the current version of each movie's step, not every version.
      expect(project.status().steps.ctf).toEqual({done: 2, failed: 0, running: 0})
      const text = describeProvenance(trace)
      expect(text).toMatch(/\* ctf v2: done \(attempt 1\) ctffind 4\.1\.14/)
      expect(text).toMatch(/argv: ctffind --old-school-input/)
      expect(text).toContain(`1234567890 bytes, ${CHECKSUM}`)
    } finally {
      await project.close()
    }
  })

  it('finds a movie by its micrograph file when that is unique, and says when a name is ambiguous or unknown', async () => {
    const projectsDir = await projectWithTwoMovies()
    const project = await Project.open(projectLayout(projectsDir, 'apo'), {readOnly: true})
    try {
      expect(traceMicrograph(project.db, 'apo', workflow, '/data/out/Grid2/movie_1.mrc').origin.movie).toBe('Grid2/movie_1.tiff')
      expect(() => traceMicrograph(project.db, 'apo', workflow, 'movie_1.tiff')).toThrow(/names 2 movies/)
      expect(() => traceMicrograph(project.db, 'apo', workflow, 'nothing.tiff')).toThrow(/no movie or micrograph named nothing\.tiff/)
    } finally {
      await project.close()
    }
  })

  it('controller provenance --json prints the chain', async () => {
    const projectsDir = await projectWithTwoMovies()
    let out = ''
    const spy = vi.spyOn(Command.prototype, 'log').mockImplementation((line = '') => void (out += `${line}\n`))
    try {
      await ProvenanceCommand.run(['--name', 'apo', '--dir', projectsDir, '--micrograph', 'Grid2/movie_1.tiff', '--json'], dirname(dirname(fileURLToPath(import.meta.url))))
    } finally {
      spy.mockRestore()
    }
    const trace = JSON.parse(out)
    expect(trace.origin.movie).toBe('Grid2/movie_1.tiff')
    expect(trace.runs.every((r: {version: number}) => r.version === 1)).toBe(true)
    expect(trace.origin.checksum).toBeNull() // this movie was reported without one
  })

  it('records the SLURM job a step ran in, kept across a reopen, and drops it when the agent runs that version again itself', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'provenance-job-'))
    await createProject({projectsDir, name: 'apo', workflow})
    const layout = projectLayout(projectsDir, 'apo')
    const movie = 'Grid1/movie_1.tiff'
    const events = sampleMovieEvents(movie)
    const motion = events.find((e): e is StepFinished => e.kind === 'stepFinished' && e.step === 'motion')!
    const onSlurm = events.map((e) => (e === motion ? {...motion, run: {...motion.run, job: {scheduler: 'slurm' as const, jobId: '4711', node: 'node07'}}} : e))
    let project = await Project.open(layout)
    for (const message of asEventMessages('agent-1', onSlurm)) project.ingest(message)
    await project.close()
    project = await Project.open(layout)
    const motionRun = () => traceMicrograph(project.db, 'apo', workflow, movie).runs.find((r) => r.step === 'motion')!
    expect(motionRun().job).toEqual({scheduler: 'slurm', jobId: '4711', node: 'node07'})
    expect(describeProvenance(traceMicrograph(project.db, 'apo', workflow, movie))).toMatch(/on gpu-pc-1 in SLURM job 4711 on node07 /)
    const local: AgentEvent[] = [{kind: 'stepStarted', movie, step: 'motion', version: 1, program: 'builtin', attempt: 2}, motion]
    for (const message of asEventMessages('agent-1', local, onSlurm.length + 1)) project.ingest(message)
    expect(motionRun()).toMatchObject({attempt: 2, job: null})
    await project.close()
  })
})
