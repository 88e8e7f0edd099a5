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
  static override flags = {host: hostFlag, port: portFlag, dir: dirFlag, 'tls-cert': tlsCertFlag, 'tls-key': tlsKeyFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const {serveUntilStopped} = await import('../server/foreground.js')
    const {projectsDir} = await import('../project/layout.js')
    const {loadTls} = await import('../server/tls.js')
    await userErrors(this, () => {
      const tls = flags['tls-cert'] && flags['tls-key'] ? loadTls({cert: flags['tls-cert'], key: flags['tls-key']}) : undefined
      return serveUntilStopped({projectsDir: projectsDir(flags.dir), host: flags.host, port: flags.port, tls})
    })
  }
}
