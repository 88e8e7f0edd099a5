import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Command} from '@oclif/core'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {startServer, type ControllerServer} from '../server/server.js'
import CreateProject from './create-project.js'
import ScheduleProject from './schedule-project.js'
import Status from './status.js'
import StopStreaming from './stop-streaming.js'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const SETTINGS = [
  'acquisition.inputFolder=/data/apo',
  'acquisition.pixelSize=0.83',
  'acquisition.dosePerFrame=1.1',
  'picking.diameterMin=100',
  'picking.diameterMax=140',
].flatMap((s) => ['--set', s])

/** Runs a command in this process and returns what it printed (this.log lines). */
async function run(command: {run(argv: string[], root: string): Promise<unknown>}, argv: string[]): Promise<string> {
  let out = ''
  const spy = vi.spyOn(Command.prototype, 'log').mockImplementation((line = '') => void (out += `${line}\n`))
  try {
    await command.run(argv, root)
  } finally {
    spy.mockRestore()
  }
  return out
}

const servers: ControllerServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('controller commands', () => {
  it('create-project prints name, path and token as JSON and refuses to overwrite without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    const created = JSON.parse(await run(CreateProject, ['--name', 'apo', '--dir', dir, '--json', ...SETTINGS]))
    expect(created).toEqual({name: 'apo', path: join(dir, 'apo'), token: expect.stringMatching(/^[\w-]{43}$/)})
    await expect(run(CreateProject, ['--name', 'apo', '--dir', dir, '--json', ...SETTINGS])).rejects.toMatchObject({
      message: expect.stringMatching(/already exists; pass --force/),
      oclif: {exit: 2},
    })
    const replaced = JSON.parse(await run(CreateProject, ['--name', 'apo', '--dir', dir, '--json', '--force', ...SETTINGS]))
    expect(replaced.token).not.toBe(created.token)
  })

  it('create-project names the workflow field that is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    await expect(run(CreateProject, ['--name', 'apo', '--dir', dir, ...SETTINGS, '--set', 'ctf.defocusMin=90000'])).rejects.toMatchObject({
      message: expect.stringMatching(/field `ctf\.defocusMax`: must be a number > ctf\.defocusMin \(90000\)/),
    })
  })

  it('status reads the project from disk when no controller serves, and through it when one does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    await run(CreateProject, ['--name', 'apo', '--dir', dir, ...SETTINGS])
    const offline = JSON.parse(await run(Status, ['--name', 'apo', '--dir', dir, '--json']))
    expect(offline).toMatchObject({
      project: 'apo',
      state: 'created',
      movies: {found: 0, processed: 0, failed: 0, inFlight: 0},
      steps: {motion: {done: 0, failed: 0, running: 0}, ctf: {done: 0, failed: 0, running: 0}},
      lastMovieAt: null,
      alerts: [],
    })

    servers.push(await startServer({projectsDir: dir, port: 0, log: () => {}}))
    expect(await run(ScheduleProject, ['--name', 'apo', '--dir', dir])).toMatch(/is scheduled/)
    expect(JSON.parse(await run(Status, ['--name', 'apo', '--dir', dir, '--json'])).state).toBe('scheduled')
    expect(await run(StopStreaming, ['--name', 'apo', '--dir', dir])).toMatch(/closed, input closed; 0 movie/)
  })

  it('stop-streaming works on a project no controller serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    await run(CreateProject, ['--name', 'apo', '--dir', dir, ...SETTINGS])
    await run(StopStreaming, ['--name', 'apo', '--dir', dir])
    const status = JSON.parse(await run(Status, ['--name', 'apo', '--dir', dir, '--json']))
    expect(status).toMatchObject({state: 'closed', acceptingMovies: false})
  })
})
