// `npm run demo [-- --movies N] [-- --serve]`: a whole streaming session on this machine. The
// simulator writes movies into a temporary folder as a microscope would; a project is created
// and scheduled from spa-builtin.json; controller and agent run as separate processes. Ends
// with a summary and, last, `Report: <absolute path>`. Exit 0 when every movie was processed.
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {controllerStatus, ensureBuilt, runProgram, spawnProgram, startController, waitFor, type Spawned, type StatusJson} from './demo/processes.js'
import {serveFolder} from './demo/serve-folder.js'
import {requestReportBuild} from '../controller/report/client.js'

const USAGE = 'npm run demo [-- --movies N] [-- --serve]'

function options(): {movies: number; serve: boolean} {
  const {values} = parseArgs({options: {movies: {type: 'string', default: '12'}, serve: {type: 'boolean', default: false}, help: {type: 'boolean'}}})
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const movies = Number(values.movies)
  if (!Number.isInteger(movies) || movies < 1) {
    console.error(`demo: --movies must be a positive integer, got ${values.movies}\n${USAGE}`)
    process.exit(2)
  }
  return {movies, serve: values.serve}
}

function say(line: string): void {
  console.log(`[demo] ${line}`)
}

async function main(): Promise<number> {
  const {movies, serve} = options()
  ensureBuilt(say)
  const root = mkdtempSync(join(tmpdir(), 'emstream-demo-'))
  const data = join(root, 'data')
  const projects = join(root, 'projects')
  const gain = join(root, 'gain_reference.mrc')
  mkdirSync(projects)
  say(`session folder ${root}`)
  const running: Spawned[] = []
  try {
    const controller = await startController(projects)
    running.push(controller)
    say(`controller serving on ws://127.0.0.1:${controller.port}/agent`)
    const created = await runProgram('controller', [
      'create-project', '--name', 'demo', '--dir', projects, '--workflow', 'spa-builtin', '--json',
      // The agent's --out below: the report reads previews and picks only from there.
      '--agent-output', join(root, 'processing'),
      ...[
        `acquisition.inputFolder=${data}`,
        `acquisition.gainReference=${gain}`,
        'acquisition.pixelSize=1.0',
        'acquisition.dosePerFrame=1.0',
        'picking.diameterMin=120',
        'picking.diameterMax=180',
      ].flatMap((s) => ['--set', s]),
    ])
    if (created.code !== 0) throw new Error(`create-project failed: ${created.stderr}`)
    const {token} = JSON.parse(created.stdout) as {token: string}
    const scheduled = await runProgram('controller', ['schedule-project', '--name', 'demo', '--dir', projects])
    if (scheduled.code !== 0) throw new Error(`schedule-project failed: ${scheduled.stderr}`)
    say('project "demo" created from spa-builtin.json and scheduled')

    const agent = spawnProgram('agent', [
      'start', '--controller', `ws://127.0.0.1:${controller.port}`, '--token', token, '--project', 'demo',
      '--state', join(root, 'agent-state'), '--out', join(root, 'processing'),
    ])
    running.push(agent)
    // 12 movies over about two minutes: one every 10 s.
    const simulator = spawnProgram('simulate', [
      '--out', data, '--truth', join(root, 'truth'), '--movies', String(movies), '--size', '1024x1024', '--interval', '10', '--gain', gain,
    ])
    running.push(simulator)
    say(`simulator writing ${movies} movies of 1024x1024 into ${data}`)
    const progress = setInterval(() => void controllerStatus(projects, 'demo').then((s) => say(progressLine(s)), () => {}), 10_000)
    const written = await simulator.exited
    if (written.code !== 0) throw new Error(`simulator failed: ${simulator.stderr()}`)
    const status = await waitFor(
      'every movie to be processed',
      async () => {
        if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.stderr().slice(-2000)}`)
        const s = await controllerStatus(projects, 'demo')
        return s.movies.found >= movies && s.movies.inFlight === 0 && s.movies.processed + s.movies.failed >= movies ? s : undefined
      },
      30 * 60_000,
      2000,
    )
    clearInterval(progress)
    const report = join(root, 'status.json')
    writeFileSync(report, JSON.stringify(status, null, 2) + '\n')
    printSummary(status)
    // The report (controller/report): the controller builds it now; its index.html is the last line.
    const reportIndex = await requestReportBuild(`http://127.0.0.1:${controller.port}`, 'demo')
    if (serve) {
      const url = await serveFolder(root)
      say(`serving ${root} at ${url} (Ctrl-C to stop)`)
      console.log(`Report: ${reportIndex}`)
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
    } else console.log(`Report: ${reportIndex}`)
    return status.movies.processed === movies ? 0 : 1
  } finally {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGTERM')
    await Promise.all(running.map((p) => p.exited))
  }
}

function progressLine(s: StatusJson): string {
  return `movies: ${s.movies.found} found, ${s.movies.processed} processed, ${s.movies.failed} failed, ${s.movies.inFlight} in flight`
}

function printSummary(s: StatusJson): void {
  console.log('')
  console.log('Summary')
  console.log(`  ${progressLine(s)}`)
  for (const [step, c] of Object.entries(s.steps)) console.log(`  ${step.padEnd(8)} ${c.done} done, ${c.failed} failed`)
  console.log(`  alerts: ${s.alerts.length === 0 ? 'none' : ''}`)
  for (const a of s.alerts) console.log(`    ${a.severity}: ${a.message}`)
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo: ${error.message}`)
    process.exit(1)
  },
)
