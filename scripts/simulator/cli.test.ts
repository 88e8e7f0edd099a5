// The CLI as the demo and e2e tests use it: a background process that writes a session,
// growing files, one JSON line per movie, truth outside the data folder, faults on request.
import {spawn} from 'node:child_process'
import {watch} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkComplete} from '../../core/formats/completeness.js'
import {openMovie} from '../../core/formats/movie.js'
import {readMrcHeader} from '../../core/formats/mrc-read.js'
import {parseSimulateArgs, SimulateUsageError} from './cli-args.js'
import {parseFaults, planFaults} from './faults.js'
import {createRng} from './rng.js'
import type {MovieWritten} from './session.js'

const script = join(import.meta.dirname, '..', 'simulate.ts')

/** Spawns the CLI; `onLine` sees each stdout line as it comes; resolves with all lines at exit. */
function simulate(args: string[], onLine: (m: MovieWritten) => void = () => {}): Promise<MovieWritten[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  const lines: MovieWritten[] = []
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  createInterface({input: child.stdout}).on('line', (l) => {
    const m = JSON.parse(l) as MovieWritten
    lines.push(m)
    onLine(m)
  })
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`simulate exited ${code}: ${stderr}`)))))
}

let root = ''
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'emstream-sim-cli-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

describe('npm run simulate', () => {
  it('writes movies, truth JSON outside the data folder, sidecars and the requested faults', async () => {
    const out = join(root, 'a', 'data')
    const truthDir = join(root, 'a', 'truth')
    const lines = await simulate(['--out', out, '--truth', truthDir, '--movies', '7', '--size', '512x512', '--frames', '3', '--interval', '0', '--write-time', '0', '--sidecar', 'mdoc', '--faults', 'truncated,zero-byte,corrupt-header,unfinished,stray', '--seed', '4'])
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect((await readdir(out)).filter((f) => f.endsWith('.json'))).toEqual([])
    const byFault = new Map(lines.map((l) => [l.fault, l]))
    const good = byFault.get(null)!
    const truth = JSON.parse(await readFile(good.truth, 'utf8'))
    for (const key of ['movie', 'pixelSize', 'voltage', 'sphericalAberration', 'amplitudeContrast', 'dosePerFrame', 'defocusU', 'defocusV', 'defocusAngle', 'phaseShift', 'shifts', 'particleDiameter', 'particles', 'bad']) expect(truth).toHaveProperty(key)
    expect(truth.shifts).toHaveLength(3)
    expect(truth.shifts[0]).toEqual([0, 0])
    expect(truth.defocusU).toBeGreaterThanOrEqual(truth.defocusV)
    const reader = await openMovie(good.path)
    expect([reader.width, reader.height, reader.frameCount]).toEqual([512, 512, 3])
    await reader.close()
    expect(await readFile(`${good.path}.mdoc`, 'utf8')).toMatch(/TargetDefocus = -\d/)
    expect((await stat(byFault.get('zero-byte')!.path)).size).toBe(0)
    expect((await stat(byFault.get('truncated')!.path)).size).toBeLessThan((await stat(good.path)).size)
    expect((await checkComplete(good.path)).complete).toBe(true)
    expect((await checkComplete(byFault.get('truncated')!.path)).complete).toBe(false)
    await expect(readMrcHeader(byFault.get('corrupt-header')!.path)).rejects.toThrow()
    expect((await checkComplete(byFault.get('unfinished')!.path)).complete).toBe(false)
    // The stray file is a single-image sum named like a movie.
    const stray = await openMovie(byFault.get('stray')!.path)
    expect(stray.frameCount).toBe(1)
    await stray.close()
    for (const [fault, reason] of [['truncated', 'truncated file'], ['zero-byte', 'zero-byte file'], ['corrupt-header', 'corrupt header'], ['unfinished', 'file never finished'], ['stray', 'stray non-movie file']] as const) {
      expect(JSON.parse(await readFile(byFault.get(fault)!.truth, 'utf8')).bad).toBe(reason)
    }
    expect((await stat(join(out, 'gain_reference.mrc'))).size).toBe(1024 + 512 * 512 * 4)
  })

  it('lets a watcher see a movie grow over --write-time before its line is printed', async () => {
    const out = join(root, 'b', 'data')
    await mkdir(out, {recursive: true})
    const sizes = new Set<number>()
    const watcher = watch(out, (_event, name) => {
      if (name === 'movie_00001.mrc') stat(join(out, name)).then((s) => sizes.add(s.size), () => {})
    })
    let sizesAtLine = 0
    const lines = await simulate(['--out', out, '--truth', join(root, 'b', 'truth'), '--movies', '1', '--size', '512x512', '--frames', '4', '--interval', '0', '--write-time', '1'], () => (sizesAtLine = sizes.size))
    watcher.close()
    expect(lines).toHaveLength(1)
    const final = (await stat(lines[0].path)).size
    expect([...sizes].filter((s) => s > 0 && s < final).length).toBeGreaterThanOrEqual(2)
    expect(sizesAtLine).toBeGreaterThanOrEqual(2)
  })

  it('writes EPU-like folders with XML sidecars holding the nominal defocus', async () => {
    const out = join(root, 'c', 'data')
    const lines = await simulate(['--out', out, '--truth', join(root, 'c', 'truth'), '--movies', '2', '--size', '512x512', '--frames', '2', '--interval', '0', '--write-time', '0', '--layout', 'epu', '--sidecar', 'xml', '--format', 'tiff', '--faults', 'duplicate'])
    expect(lines[0].movie).toMatch(/^Images-Disc1\/GridSquare_\d+\/Data\/FoilHole_\d+_Data_\d+_\d+_\d{8}_\d{6}_fractions\.tiff$/)
    const name = (p: string) => p.split('/').pop()
    expect(name(lines[1].movie)).toBe(name(lines[0].movie))
    expect(lines[1].movie).not.toBe(lines[0].movie)
    expect(lines[1].truth).not.toBe(lines[0].truth)
    const xml = await readFile(lines[0].path.replace('_fractions.tiff', '.xml'), 'utf8')
    const truth = JSON.parse(await readFile(lines[0].truth, 'utf8'))
    const nominal = Number(/<Defocus>([^<]+)<\/Defocus>/.exec(xml)![1])
    expect(nominal).toBeCloseTo(-truth.nominalDefocus * 1e-10, 12)
  })
})

describe('simulate arguments', () => {
  const base = ['--out', '/tmp/x/data', '--truth', '/tmp/x/truth']

  it('names the flag and the problem', () => {
    const problem = (args: string[]) => {
      try {
        parseSimulateArgs([...base, ...args])
      } catch (e) {
        expect(e).toBeInstanceOf(SimulateUsageError)
        return (e as SimulateUsageError).flag
      }
      return 'accepted'
    }
    expect(problem(['--size', '300x300'])).toBe('size')
    expect(problem(['--size', '5760x4092'])).toBe('accepted')
    expect(problem(['--format', 'dm4'])).toBe('format')
    expect(problem(['--faults', 'melted'])).toBe('faults')
    expect(problem(['--defocus', '3-1'])).toBe('defocus')
    expect(problem(['--movies', '2', '--faults', 'truncated,stray'])).toBe('faults')
    expect(() => parseSimulateArgs(['--out', '/tmp/x', '--truth', '/tmp/x/truth'])).toThrow(/truth.*inside the data folder/)
  })

  it('plans each fault on a distinct movie after the first', () => {
    const plan = planFaults(parseFaults('truncated:2,stray,duplicate'), 6, createRng(1))
    expect(plan.size).toBe(4)
    expect([...plan.keys()].every((i) => i >= 1 && i < 6)).toBe(true)
    expect(() => planFaults(parseFaults('truncated:6'), 6, createRng(1))).toThrow(/at least 7 movies/)
  })
})
