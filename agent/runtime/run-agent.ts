// Runs the streaming agent until SIGINT/SIGTERM: logs (or the live status line on a terminal)
// and a clean stop. A kill -9 is safe too: the state folder has everything to resume.
import {checkComplete} from '../../core/formats/completeness.js'
import {createLogger} from './logger.js'
import {softwareVersion} from './software.js'
import type {StartConfig} from './start-config.js'
import {StatusLine} from './status-line.js'
import {StreamingAgent} from './streaming-agent.js'

export async function runStreamingAgent(config: StartConfig): Promise<void> {
  const live = process.stderr.isTTY === true && !config.logJson
  let status: StatusLine | undefined
  const log = createLogger({
    json: config.logJson,
    verbose: config.verbose,
    around: {before: () => status?.clear(), after: () => status?.render()},
  })
  const agent = new StreamingAgent({
    controllerUrl: config.controller,
    token: config.token,
    ca: config.ca,
    project: config.project,
    agentId: config.agentId,
    stateDir: config.state,
    outDir: config.out,
    watchDir: config.watch,
    usePolling: config.polling,
    pollIntervalMs: config.pollInterval,
    cpuThreads: config.threads,
    gpuIds: config.gpus,
    attempts: config.attempts,
    systemSampleMs: config.systemInterval,
    software: softwareVersion(),
    checkComplete,
    stableMs: config.stableMs,
    giveUpMs: config.giveUpMs,
    log,
    ...(config.shared ? {shared: {slots: config.slots}} : {}),
    pathMap: config.pathMap,
  })
  if (live) {
    status = new StatusLine(() => agent.counts())
    status.start()
  }
  log.info(`agent ${config.agentId} starting: project ${config.project}, controller ${config.controller}, state ${config.state}${config.shared ? `, shared (${config.slots} movies at once)` : ''}`)
  await agent.start()
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info(`${signal}: stopping (running steps are redone on the next start)`)
      resolve()
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
  status?.stop()
  await agent.stop()
}
