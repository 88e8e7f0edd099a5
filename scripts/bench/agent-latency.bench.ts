// Latency from a movie's last byte to its results in the controller, minus the time the steps
// themselves ran (target: <= 1.5 s of overhead). Controller and agent run as separate processes
// on loopback; the movie (512x512, 8 frames) is written in chunks as a camera would. The peer
// figure is the steps' own processing time, measured in the same run.
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {controlRequest} from '../../controller/server/control-client.js'
import {ensureBuilt, runProgram, spawnProgram, startController, waitFor} from '../demo/processes.js'
import {writeSmallMovie} from '../../test/e2e/small-movie.js'

const MOVIES = Number(process.env.AGENT_LATENCY_MOVIES ?? 3)

ensureBuilt((l) => console.log(l))
const root = mkdtempSync(join(tmpdir(), 'agent-latency-'))
const data = join(root, 'data')
const projects = join(root, 'projects')
mkdirSync(projects)
mkdirSync(data)
const controller = await startController(projects)
const agentProcs: ReturnType<typeof spawnProgram>[] = []
try {
  const settings = [`acquisition.inputFolder=${data}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0', 'picking.diameterMin=120', 'picking.diameterMax=180']
  const created = await runProgram('controller', ['create-project', '--name', 'lat', '--dir', projects, '--json', ...settings.flatMap((s) => ['--set', s])])
  const {token} = JSON.parse(created.stdout) as {token: string}
  await runProgram('controller', ['schedule-project', '--name', 'lat', '--dir', projects])
  const agent = spawnProgram('agent', ['start', '--controller', `ws://127.0.0.1:${controller.port}`, '--token', token, '--project', 'lat', '--state', join(root, 'state'), '--out', join(root, 'out'), '--system-interval', '0'])
  agentProcs.push(agent)
  await waitFor('the agent to watch', () => (agent.stderr().includes('watching') ? true : undefined), 60_000, 50)

  const template = join(root, 'template.mrc')
  await writeSmallMovie(template, {frames: 8})
  const bytes = readFileSync(template)
  const overheads: number[] = []
  const processing: number[] = []
  for (let i = 1; i <= MOVIES; i++) {
    const path = join(data, `movie_${i}.mrc`)
    const handle = await open(path, 'w')
    const chunk = Math.ceil(bytes.length / 8)
    for (let off = 0; off < bytes.length; off += chunk) {
      await handle.write(bytes, off, Math.min(chunk, bytes.length - off), off)
      await new Promise((r) => setTimeout(r, 50))
    }
    await handle.close()
    const lastByte = Date.now()
    // Asked over the controller's HTTP control API (in-process fetch): a CLI per poll would cost more than what is measured.
    await waitFor('the results in the controller', async () => (((await controlRequest(projects, 'lat', 'status'))?.movies.processed ?? 0) >= i ? true : undefined), 300_000, 20)
    const latency = Date.now() - lastByte
    const stepMs = readFileSync(join(root, 'state', 'movies.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {t: string; id?: string; run?: {startedAt: number; endedAt: number}})
      .filter((r) => r.t === 'step-done' && r.id === `movie_${i}.mrc`)
      .reduce((sum, r) => sum + (r.run!.endedAt - r.run!.startedAt), 0)
    overheads.push(latency - stepMs)
    processing.push(stepMs)
    console.log(`movie ${i}: last byte -> results in controller ${latency} ms = steps ${stepMs} ms + overhead ${latency - stepMs} ms`)
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length
  console.log(`overhead mean ${mean(overheads).toFixed(0)} ms, max ${Math.max(...overheads)} ms (target <= 1500 ms; includes <= 20 ms status polling);`)
  console.log(`steps' own time mean ${mean(processing).toFixed(0)} ms; overhead / processing ratio ${(mean(overheads) / mean(processing)).toFixed(3)}`)
} finally {
  for (const p of [...agentProcs, controller]) p.child.kill('SIGTERM')
  await Promise.all([...agentProcs, controller].map((p) => p.exited))
  rmSync(root, {recursive: true, force: true})
}
