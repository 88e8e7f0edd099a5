// A real `controller serve` process (compiled bins, scripts/demo/processes.ts) with one or more
// scheduled projects, created and scheduled with the controller's own commands.
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {ensureBuilt, runProgram, startController, type Spawned} from '../../demo/processes.js'

export interface LoadSession {
  root: string
  projects: string
  controller: Spawned & {port: number}
  url: string
  /** Creates and schedules a project; resolves with its agents' token. */
  addProject(name: string, settings: string[]): Promise<string>
  /** SIGTERMs the controller (it snapshots every open project) and waits for it to exit. */
  stopController(): Promise<void>
  /** Stops the controller if still running and removes every file of the session. */
  dispose(): Promise<void>
}

/**
 * `--set` values of a project fed by simulated agents (the data folder is never read by the
 * controller). Their movies end after picking (core/protocol/samples.ts has no preview step).
 */
export function loadWorkflowSettings(dataDir: string): string[] {
  return [`acquisition.inputFolder=${dataDir}`, 'acquisition.pixelSize=1.0', 'acquisition.dosePerFrame=2.0', 'picking.diameterMin=120', 'picking.diameterMax=180', 'preview.enabled=false']
}

export async function startLoadSession(prefix: string, root = mkdtempSync(join(process.env.LOAD_TMPDIR ?? '/tmp', prefix))): Promise<LoadSession> {
  ensureBuilt((line) => console.log(line))
  const projects = join(root, 'projects')
  mkdirSync(projects, {recursive: true})
  const controller = await startController(projects)
  const addProject = async (name: string, settings: string[]) => {
    const created = await runProgram('controller', ['create-project', '--name', name, '--dir', projects, '--json', ...settings.flatMap((s) => ['--set', s])])
    if (created.code !== 0) throw new Error(`create-project ${name} failed: ${created.stderr}`)
    const scheduled = await runProgram('controller', ['schedule-project', '--name', name, '--dir', projects])
    if (scheduled.code !== 0) throw new Error(`schedule-project ${name} failed: ${scheduled.stderr}`)
    return (JSON.parse(created.stdout) as {token: string}).token
  }
  const stopController = async () => {
    if (controller.child.exitCode === null && controller.child.signalCode === null) controller.child.kill('SIGTERM')
    const {code, signal} = await controller.exited
    if (code !== 0) throw new Error(`controller exited ${code ?? signal}: ${controller.stderr().slice(-2000)}`)
  }
  const dispose = async () => {
    if (controller.child.exitCode === null && controller.child.signalCode === null) {
      controller.child.kill('SIGTERM')
      await controller.exited
    }
    rmSync(root, {recursive: true, force: true})
  }
  return {root, projects, controller, url: `ws://127.0.0.1:${controller.port}/agent`, addProject, stopController, dispose}
}
