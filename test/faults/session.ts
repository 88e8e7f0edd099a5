// A streaming session as separate processes on loopback for the fault tests: a controller with
// one scheduled project, agents started on demand, and the project database read after a clean stop.
import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import initSqlJs from 'sql.js'
import {runProgram, spawnProgram, startController, type Spawned} from '../../scripts/demo/processes.js'

/** `--set` flags of a fast workflow for small simulated movies. */
export function workflowSettings(dataDir: string): string[] {
  return [
    `acquisition.inputFolder=${dataDir}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0',
    'picking.diameterMin=120', 'picking.diameterMax=180', 'motion.patchesX=1', 'motion.patchesY=1', 'preview.size=64',
  ].flatMap((s) => ['--set', s])
}

/** (movie, step) pairs the agent has durably finished, done or failed, from its state file (compacted or not). */
export function agentStepsDone(stateDir: string): number {
  let text: string
  try {
    text = readFileSync(join(stateDir, 'movies.jsonl'), 'utf8')
  } catch {
    return 0
  }
  const finished = new Set<string>()
  for (const line of text.split('\n')) {
    let r: {t: string; id?: string; step?: string; movie?: {id: string; steps: Record<string, {status: string}>}}
    try {
      r = JSON.parse(line)
    } catch {
      continue // empty, or the line being written right now
    }
    if (r.t === 'movie') for (const [step, st] of Object.entries(r.movie!.steps)) if (st.status === 'done' || st.status === 'failed') finished.add(`${r.movie!.id}/${step}`)
    if (r.t === 'step-done' || r.t === 'step-failed') finished.add(`${r.id}/${r.step}`)
  }
  return finished.size
}

export interface FaultSession {
  projects: string
  controller: Spawned & {port: number}
  token: string
  /** Starts `agent start` on the session (state under root/state), tracked for cleanup. */
  startAgent(extra?: string[]): Spawned
  /** SIGTERMs every process and resolves with a query function on the saved project database. */
  stop(): Promise<(sql: string) => unknown[][]>
}

export async function startFaultSession(root: string, name: string, options: {data: string; out: string; running: Spawned[]; settings?: string[]}): Promise<FaultSession> {
  const projects = join(root, 'projects')
  mkdirSync(projects, {recursive: true})
  const controller = await startController(projects)
  options.running.push(controller)
  const created = await runProgram('controller', ['create-project', '--name', name, '--dir', projects, '--json', ...workflowSettings(options.data), ...(options.settings ?? []).flatMap((s) => ['--set', s])])
  if (created.code !== 0) throw new Error(`create-project failed: ${created.stderr}`)
  const {token} = JSON.parse(created.stdout) as {token: string}
  const scheduled = await runProgram('controller', ['schedule-project', '--name', name, '--dir', projects])
  if (scheduled.code !== 0) throw new Error(`schedule-project failed: ${scheduled.stderr}`)
  const agents: Spawned[] = []
  const startAgent = (extra: string[] = []) => {
    const agent = spawnProgram('agent', [
      'start', '--controller', `ws://127.0.0.1:${controller.port}`, '--token', token, '--project', name, '--state', join(root, 'state'),
      '--out', options.out, '--threads', '2', '--give-up-ms', '1500', '--system-interval', '1000', '--log-json', ...extra,
    ])
    options.running.push(agent)
    agents.push(agent)
    return agent
  }
  const stop = async () => {
    const live = [...agents, controller].filter((p) => p.child.exitCode === null)
    for (const p of live) p.child.kill('SIGTERM')
    await Promise.all(live.map((p) => p.exited))
    const SQL = await initSqlJs()
    const db = new SQL.Database(readFileSync(join(projects, name, 'project.sqlite')))
    const rows = (sql: string) => db.exec(sql)[0]?.values ?? []
    return rows
  }
  return {projects, controller, token, startAgent, stop}
}
