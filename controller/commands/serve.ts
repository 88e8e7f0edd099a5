// `controller serve [--host 127.0.0.1] [--port 7412] [--dir D]`
import {Command, Flags} from '@oclif/core'
import {dirFlag, userErrors} from './shared.js'

export const hostFlag = Flags.string({description: 'address to listen on (agents on other machines: 0.0.0.0)', default: '127.0.0.1'})
export const portFlag = Flags.integer({description: 'port to listen on', default: 7412, min: 0, max: 65535})
export const tlsCertFlag = Flags.string({description: 'PEM certificate (chain): serve wss:// and https://', dependsOn: ['tls-key']})
export const tlsKeyFlag = Flags.string({description: 'PEM private key of --tls-cert', dependsOn: ['tls-cert']})

export default class Serve extends Command {
  static override summary = 'Serve the projects: agents connect here'
  static override description =
    'Agents connect to ws://HOST:PORT/agent and join a project with its token. Runs until interrupted (Ctrl-C), then ' +
    'writes a snapshot of every open project.'
  static override flags = {
    host: hostFlag,
    port: portFlag,
    dir: dirFlag,
    'tls-cert': tlsCertFlag,
    'tls-key': tlsKeyFlag,
    'lease-seconds': Flags.integer({
      description: 'agents sharing a session (agent start --shared): a movie leased to one goes to another after this long without a word from it',
      default: 60, min: 1, env: 'EMSTREAM_LEASE_SECONDS',
    }),
    'lease-grace-seconds': Flags.integer({
      description: 'a shared agent\'s leased movies go to another this long after its connection closed', default: 20, min: 0, env: 'EMSTREAM_LEASE_GRACE_SECONDS',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const {serveUntilStopped} = await import('../server/foreground.js')
    const {projectsDir} = await import('../project/layout.js')
    const {loadTls} = await import('../server/tls.js')
    await userErrors(this, () => {
      const tls = flags['tls-cert'] && flags['tls-key'] ? loadTls({cert: flags['tls-cert'], key: flags['tls-key']}) : undefined
      const leaseTiming = {durationMs: flags['lease-seconds'] * 1000, graceMs: flags['lease-grace-seconds'] * 1000}
      return serveUntilStopped({projectsDir: projectsDir(flags.dir), host: flags.host, port: flags.port, tls, leaseTiming})
    })
  }
}
