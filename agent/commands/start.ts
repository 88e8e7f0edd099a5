// `agent start`: watch the session folder, process every movie, stream results to the controller.
import {Command, Flags} from '@oclif/core'

export default class Start extends Command {
  static override summary = 'Watch the data folder, process movies as they arrive, stream results to the controller'
  static override description =
    'Settings come from flags, else EMSTREAM_* environment variables, else the JSON --config file. ' +
    'Local state (done, in flight, unacknowledged events) lives in --state, so a restart resumes where it stopped.'
  static override flags = {
    controller: Flags.string({description: 'controller URL, ws://HOST:PORT (env EMSTREAM_CONTROLLER)'}),
    token: Flags.string({description: 'project token (env EMSTREAM_TOKEN)'}),
    ca: Flags.string({description: 'PEM CA file the wss:// controller\'s certificate must chain to, instead of the system CAs (env EMSTREAM_CA)'}),
    project: Flags.string({description: 'project name (env EMSTREAM_PROJECT)'}),
    watch: Flags.string({description: 'folder to watch instead of the workflow\'s acquisition.inputFolder'}),
    out: Flags.string({description: 'output folder (default ./emstream-processing)'}),
    state: Flags.string({description: 'agent state folder (default ~/.local/state/emstream/agent-<project>)'}),
    config: Flags.string({description: 'JSON file with any of these settings (camelCase keys)'}),
    'agent-id': Flags.string({description: 'this agent\'s id (default: host name)'}),
    threads: Flags.integer({description: 'CPU threads the steps may hold together (default: all cores)', min: 1}),
    gpus: Flags.string({description: 'GPU ids the steps may use, comma-separated'}),
    polling: Flags.boolean({description: 'poll the folder (network shares, where change events never arrive)', allowNo: true}),
    'poll-interval': Flags.integer({description: 'polling interval (ms)', min: 50}),
    attempts: Flags.integer({description: 'tries per step before a movie fails', min: 1}),
    'system-interval': Flags.integer({description: 'system sample interval (ms, 0 = off)', min: 0}),
    'stable-ms': Flags.integer({description: 'size and mtime must be stable this long (ms)', min: 0, hidden: true}),
    'give-up-ms': Flags.integer({description: 'a stable file still incomplete after this long is processed and fails (ms)', min: 0, hidden: true}),
    'log-json': Flags.boolean({description: 'structured JSON log lines'}),
    verbose: Flags.boolean({char: 'v', description: 'log every step start and finish'}),
    shared: Flags.boolean({description: 'share the session with other agents: process only the movies the controller leases this one (env EMSTREAM_SHARED)'}),
    slots: Flags.integer({description: 'with --shared: movies taken at once (default 4)', min: 1}),
    'path-map': Flags.string({description: 'SHARED=LOCAL: this agent sees the session\'s SHARED folder as LOCAL (repeatable), e.g. /mnt/krios=/data/krios', multiple: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Start)
    const {resolveStartConfig, StartConfigError} = await import('../runtime/start-config.js')
    let config
    try {
      config = resolveStartConfig({
        controller: flags.controller,
        token: flags.token,
        ca: flags.ca,
        project: flags.project,
        watch: flags.watch,
        out: flags.out,
        state: flags.state,
        config: flags.config,
        agentId: flags['agent-id'],
        threads: flags.threads,
        gpus: flags.gpus,
        polling: flags.polling,
        pollInterval: flags['poll-interval'],
        attempts: flags.attempts,
        systemInterval: flags['system-interval'],
        stableMs: flags['stable-ms'],
        giveUpMs: flags['give-up-ms'],
        logJson: flags['log-json'] || undefined,
        verbose: flags.verbose || undefined,
        shared: flags.shared || undefined,
        slots: flags.slots,
        pathMap: flags['path-map'],
      })
    } catch (error) {
      if (error instanceof StartConfigError) this.error(error.message, {exit: 2})
      throw error
    }
    const {runStreamingAgent} = await import('../runtime/run-agent.js')
    await runStreamingAgent(config)
  }
}
