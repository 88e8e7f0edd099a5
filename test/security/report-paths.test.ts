// Paths inside agent events never make the controller read or write outside the project's agent
// output folders: a hostile agent naming /etc/passwd, ../ or a symbolic link out as its preview,
// PSD, picks or micrograph gets nothing copied into the report, each refusal is reported, and the
// report writes only its own files, named by micrograph id.
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encode} from 'fast-png'
import {afterAll, describe, expect, it} from 'vitest'
import {formatCoordinateStar} from '../../agent/steps/pick/coords-star.js'
import {encodeMrc} from '../../core/formats/mrc-write.js'
import {decodeAgentMessage, type EventMessage} from '../../core/protocol/index.js'
import type {AgentEvent} from '../../core/protocol/events.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../../controller/project/create.js'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'
import {AgentFiles, RefusedPathError} from '../../controller/report/agent-files.js'
import {exportReport} from '../../controller/report/export.js'
import {readTableRows} from '../../controller/report/table-pages.js'

const root = mkdtempSync(join(tmpdir(), 'emstream-report-paths-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
const agentOut = join(root, 'agent-out')
const secret = join(root, 'secret.txt')
const SECRET = 'the facility database password'
mkdirSync(agentOut)
writeFileSync(secret, SECRET)
const png = Buffer.from(encode({width: 4, height: 4, data: new Uint8Array(16).fill(200), channels: 1, depth: 8}))
writeFileSync(join(agentOut, 'honest_preview.png'), png)
writeFileSync(join(agentOut, 'honest_psd.png'), png)
writeFileSync(join(agentOut, 'honest.mrc'), encodeMrc([new Float32Array(32 * 32)], {width: 32, height: 32, mode: 2, pixelSize: 1}))
writeFileSync(join(agentOut, 'honest.star'), formatCoordinateStar([{x: 5, y: 6, figureOfMerit: 1}]))
symlinkSync(secret, join(agentOut, 'escape.png'))
symlinkSync('/etc', join(agentOut, 'etc-link'))
mkdirSync(join(agentOut, 'folder.png'))
execFileSync('mkfifo', [join(agentOut, 'fifo.png')])

describe('AgentFiles', () => {
  const refusal = async (files: AgentFiles, path: string) => {
    const error = await files.read(path).then(() => undefined, (e: Error) => e)
    expect(error, path).toBeInstanceOf(RefusedPathError)
    return (error as Error).message
  }

  it('reads regular files inside the agent output folders, through a linked folder too', async () => {
    symlinkSync(agentOut, join(root, 'out-link'))
    for (const folder of [agentOut, join(root, 'out-link')]) {
      const files = await AgentFiles.within([folder])
      expect((await files.read(join(agentOut, 'honest_preview.png'))).equals(png)).toBe(true)
      expect((await files.head(join(folder, 'honest.mrc'), 1024)).length).toBe(1024)
    }
  })

  it('refuses paths outside, with "..", relative, through links out, and what is not a regular file', async () => {
    const files = await AgentFiles.within([agentOut])
    expect(await refusal(files, '/etc/passwd')).toMatch(/"\/etc\/passwd": it is outside the agent output folders/)
    expect(await refusal(files, `${agentOut}/../secret.txt`)).toMatch(/contains "\.\."/)
    expect(await refusal(files, `${agentOut}/sub/../../../../etc/passwd`)).toMatch(/contains "\.\."/)
    expect(await refusal(files, 'honest_preview.png')).toMatch(/not an absolute path/)
    expect(await refusal(files, join(agentOut, 'escape.png'))).toMatch(/resolves to .*secret\.txt, which is outside/)
    expect(await refusal(files, join(agentOut, 'etc-link', 'passwd'))).toMatch(/resolves to \/etc\/passwd, which is outside/)
    expect(await refusal(files, join(agentOut, 'folder.png'))).toMatch(/not a regular file/)
    // A FIFO would block a plain open until a writer came: refused at once instead.
    expect(await refusal(files, join(agentOut, 'fifo.png'))).toMatch(/not a regular file/)
    expect(await refusal(files, join(agentOut, 'missing.png'))).toMatch(/no such file/)
    expect(await refusal(files, `${agentOut}/honest_preview.png\0.txt`)).toMatch(/NUL/)
    // A folder that merely starts with the same characters is not inside.
    mkdirSync(`${agentOut}-evil`)
    writeFileSync(`${agentOut}-evil/x.png`, png)
    expect(await refusal(files, `${agentOut}-evil/x.png`)).toMatch(/outside/)
  })

  it('reads nothing when the project has no agent output folder', async () => {
    const files = await AgentFiles.within([])
    expect(await refusal(files, join(agentOut, 'honest_preview.png'))).toMatch(/no agent output folder is configured.*--agent-output/)
  })
})

describe('report export of hostile events', () => {
  it('copies nothing named by a hostile path, reports each refusal, and writes only its own files', async () => {
    const projectsDir = join(root, 'projects')
    mkdirSync(projectsDir)
    const workflow = validateWorkflow({
      acquisition: {inputFolder: join(root, 'in'), pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
      picking: {diameterMin: 100, diameterMax: 150},
    })
    await createProject({projectsDir, name: 'hostile', workflow, agentOutputFolders: [agentOut]})
    const project = await Project.open(projectLayout(projectsDir, 'hostile'))
    project.schedule()
    const victim = join(root, 'written-by-the-report.png')
    const movies: Record<string, {preview: string; psd: string; star: string; micrograph: string}> = {
      'honest.tiff': {preview: join(agentOut, 'honest_preview.png'), psd: join(agentOut, 'honest_psd.png'), star: join(agentOut, 'honest.star'), micrograph: join(agentOut, 'honest.mrc')},
      'passwd.tiff': {preview: '/etc/passwd', psd: `${agentOut}/../secret.txt`, star: '/etc/hostname', micrograph: '/etc/passwd'},
      'links.tiff': {preview: join(agentOut, 'escape.png'), psd: join(agentOut, 'etc-link', 'passwd'), star: join(agentOut, 'etc-link', 'hostname'), micrograph: join(agentOut, 'honest.mrc')},
      'victim.tiff': {preview: victim, psd: join(agentOut, 'fifo.png'), star: join(agentOut, 'honest.star'), micrograph: secret},
    }
    const events = Object.entries(movies).flatMap(([movie, p]) => movieEvents(movie, p))
    events.forEach((event, i) => {
      // Through the wire format's validation, as the server takes them: the paths are valid fields.
      const decoded = decodeAgentMessage(JSON.stringify({type: 'event', agentId: 'evil', seq: i + 1, at: 1_750_000_000_000 + i, event} satisfies EventMessage))
      if (!decoded.ok) throw new Error(decoded.reason)
      expect(project.ingest(decoded.message as EventMessage).status).toBe('applied')
    })
    const rootBefore = readdirSync(root).sort()
    const dataDir = join(projectsDir, 'hostile', 'report', 'data')
    const exported = await exportReport(project.db, dataDir, {name: 'hostile', workflow})
    await project.close()

    const images = Object.fromEntries(readTableRows(dataDir).map((m) => [m.name, m.images]))
    expect(images['honest.tiff']).toMatchObject({preview: expect.any(String), psd: expect.any(String), picks: expect.any(String)})
    expect(readFileSync(join(dataDir, images['honest.tiff'].preview!)).equals(png)).toBe(true)
    for (const name of ['passwd.tiff', 'links.tiff', 'victim.tiff']) expect(images[name], name).toMatchObject({preview: null, psd: null, picks: null})

    const refused = exported.problems.map((p) => `${p.file}: ${p.problem}`)
    for (const path of ['/etc/passwd', `${agentOut}/../secret.txt`, '/etc/hostname', join(agentOut, 'escape.png'), join(agentOut, 'etc-link', 'passwd'), victim, join(agentOut, 'fifo.png')]) {
      expect(refused.some((r) => r.startsWith(`${path}: refused`)), `${path} in ${refused.join('\n')}`).toBe(true)
    }
    // Nothing of what the hostile paths name is in any file the export wrote.
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0]
    for (const file of filesUnder(dataDir)) {
      const text = readFileSync(file, 'latin1')
      expect(text.includes(SECRET), file).toBe(false)
      expect(text.includes(passwd), file).toBe(false)
    }
    // And the export wrote nowhere an event named.
    expect(existsSync(victim)).toBe(false)
    expect(readdirSync(root).sort()).toEqual(rootBefore)
  })
})

function movieEvents(movie: string, p: {preview: string; psd: string; star: string; micrograph: string}): AgentEvent[] {
  const run = {program: 'builtin', version: '1.0', argv: [], parameters: {}, startedAt: 1_750_000_000_000, endedAt: 1_750_000_001_000, exitStatus: 0, stderrTail: '', host: 'evil-pc'}
  const finished = (step: 'motion' | 'ctf' | 'picking' | 'preview', result: object, outputs: string[]): AgentEvent =>
    ({kind: 'stepFinished', movie, step, version: 1, result, outputs, run}) as AgentEvent
  return [
    {kind: 'movieFound', movie, path: join(root, 'in', movie), sizeBytes: 1000, format: 'tiff', modifiedAt: 1_750_000_000_000},
    finished('motion', {micrograph: p.micrograph, pixelSize: 1, shifts: [[0, 0], [1, 1]], totalMotion: 1.4, earlyMotion: 1.4, lateMotion: 0, frames: 2, dosePerFrame: 1}, [p.micrograph]),
    finished('ctf', {defocusU: 15000, defocusV: 14000, defocusAngle: 10, phaseShift: 0, resolution: 4, figureOfMerit: 0.2}, []),
    finished('picking', {count: 1, coordinates: [[5, 6]], scores: [1], coordinatesFile: p.star}, [p.star]),
    finished('preview', {micrographPreview: p.preview, psdPreview: p.psd}, [p.preview, p.psd]),
  ]
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true, recursive: true}).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}
