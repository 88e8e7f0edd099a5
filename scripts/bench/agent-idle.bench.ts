// The whole `agent start` process, idle, watching a folder of 10,000 finished movies that its
// local state already knows (a restart late in a session): CPU in % of one core, read from
// /proc over 10 s (target < 1 %). Peer in the same run: the same agent process on an empty folder.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encodeMrc} from '../../core/formats/mrc-write.js'
import {loadWorkflow} from '../../core/workflow/index.js'
import {ensureBuilt, runProgram, spawnProgram, startController, waitFor} from '../demo/processes.js'

const MOVIES = Number(process.env.AGENT_BENCH_MOVIES ?? 10_000)
const SECONDS = Number(process.env.AGENT_BENCH_IDLE_S ?? 10)
const TICKS = 100 // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

/** Writes `count` finished movies and a local state that has them all done. */
async function session(root: string, count: number): Promise<{data: string; state: string}> {
  const data = join(root, 'data')
  const state = join(root, 'state')
  mkdirSync(data, {recursive: true})
  mkdirSync(state, {recursive: true})
  const bytes = encodeMrc([new Float32Array(256), new Float32Array(256)], {width: 16, height: 16, mode: 2, pixelSize: 1})
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `movie_${String(i).padStart(5, '0')}.mrc`
    writeFileSync(join(data, id), bytes)
    const movie = {id, path: join(data, id), order: i, foundAt: i, size: bytes.length, mtimeMs: 0, format: 'mrc', kind: 'movie', status: 'done', steps: {}}
    lines.push(JSON.stringify({t: 'movie', movie}))
  }
  writeFileSync(join(state, 'movies.jsonl'), lines.length ? lines.join('\n') + '\n' : '')
  const settings = [`acquisition.inputFolder=${data}`, 'acquisition.pixelSize=1', 'acquisition.dosePerFrame=1', 'picking.diameterMin=100', 'picking.diameterMax=150']
  const {workflow} = await loadWorkflow('spa-builtin', {settings, ask: false})
  writeFileSync(join(state, 'workflow.json'), JSON.stringify({revision: 1, workflow}))
  return {data, state}
}

async function measure(count: number, controllerPort: number, token: string, polling: boolean): Promise<{idle: number; startup: number}> {
  const root = mkdtempSync(join(tmpdir(), 'agent-idle-'))
  try {
    const {state} = await session(root, count)
    const agent = spawnProgram('agent', [
      'start', '--controller', `ws://127.0.0.1:${controllerPort}`, '--token', token, '--project', 'idle',
      '--state', state, '--out', join(root, 'out'), '--agent-id', `idle-${count}`, ...(polling ? ['--polling'] : []),
    ])
    try {
      await waitFor('the agent to watch', () => (agent.stderr().includes('watching') ? true : undefined), 120_000, 100)
      await new Promise((r) => setTimeout(r, 2000)) // let start-up work settle
      const before = cpuSeconds(agent.child.pid!)
      await new Promise((r) => setTimeout(r, SECONDS * 1000))
      return {idle: ((cpuSeconds(agent.child.pid!) - before) / SECONDS) * 100, startup: before}
    } finally {
      agent.child.kill('SIGTERM')
      await agent.exited
    }
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
}

/** /proc counts CPU in 10 ms ticks: over SECONDS, anything below one tick reads as 0. */
function percent(p: number): string {
  const resolution = (1 / TICKS / SECONDS) * 100
  return p < resolution ? `< ${resolution.toFixed(2)} %` : `${p.toFixed(2)} %`
}

ensureBuilt((l) => console.log(l))
const projects = mkdtempSync(join(tmpdir(), 'agent-idle-projects-'))
const controller = await startController(projects)
try {
  const created = await runProgram('controller', [
    'create-project', '--name', 'idle', '--dir', projects, '--json',
    ...['acquisition.inputFolder=/tmp', 'acquisition.pixelSize=1', 'acquisition.dosePerFrame=1', 'picking.diameterMin=100', 'picking.diameterMax=150'].flatMap((s) => ['--set', s]),
  ])
  const {token} = JSON.parse(created.stdout) as {token: string}
  for (const polling of [false, true]) {
    const full = await measure(MOVIES, controller.port, token, polling)
    const empty = await measure(0, controller.port, token, polling)
    console.log(
      `agent start${polling ? ' --polling (2 s)' : ' (inotify)'}, idle ${SECONDS} s: ${MOVIES} finished movies ${percent(full.idle)} of a core ` +
        `(start-up took ${full.startup.toFixed(2)} s CPU); empty folder ${percent(empty.idle)} (start-up ${empty.startup.toFixed(2)} s); target < 1 %`,
    )
  }
} finally {
  controller.child.kill('SIGTERM')
  await controller.exited
  rmSync(projects, {recursive: true, force: true})
}
