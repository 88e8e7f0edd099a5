// A streaming session as separate processes on loopback for the fault tests: a controller with
// one scheduled project, agents started on demand, and the project database read after a clean stop.
import {mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import initSqlJs from 'sql.js'
import {runProgram, spawnProgram, startController, type Spawned} from '../../scripts/demo/processes.js'

export interface FaultSession {
  projects: string
  controller: Spawned & {port: number}
  token: string
  /** Starts `agent start` on the session (state under root/state), tracked for cleanup. */
  startAgent(extra?: string[]): Spawned
  /** SIGTERMs every process and resolves with a query function on the saved project database. */
  stop(): Promise<(sql: string) => unknown[][]>
}

export async function startFaultSession(root: string, name: string, options: {data: string; out: string; running: Spawned[]}): Promise<FaultSession> {
  const projects = join(root, 'projects')
  mkdirSync(projects, {recursive: true})
  const controller = await startController(projects)
  options.running.push(controller)
  const settings = [
    `acquisition.inputFolder=${options.data}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0',
    'picking.diameterMin=120', 'picking.diameterMax=180', 'motion.patchesX=1', 'motion.patchesY=1', 'preview.size=64',
  ].flatMap((s) => ['--set', s])
  const created = await runProgram('controller', ['create-project', '--name', name, '--dir', projects, '--json', ...settings])
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
