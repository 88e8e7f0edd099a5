// `controller schedule-project --name N [--dir D] [--host H] [--port P]`
import {Command} from '@oclif/core'
import {hostFlag, portFlag, tlsCertFlag, tlsKeyFlag} from './serve.js'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class ScheduleProject extends Command {
  static override summary = 'Start a project\'s session: connected agents receive its workflow'
  static override description =
    'Tells the running controller of the projects folder to start the session. When no controller is serving, this command ' +
    'serves in the foreground (like `controller serve`) until interrupted.'
  static override flags = {name: nameFlag, dir: dirFlag, host: hostFlag, port: portFlag, 'tls-cert': tlsCertFlag, 'tls-key': tlsKeyFlag}

  async run(): Promise<void> {
    const {flags} = await this.parse(ScheduleProject)
    const {projectsDir} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    await userErrors(this, async () => {
      const status = await controlRequest(dir, flags.name, 'schedule')
      if (status) return this.log(`Project ${flags.name} is ${status.state}.`)
      const {serveUntilStopped} = await import('../server/foreground.js')
      const {ProjectError} = await import('../project/errors.js')
      const {loadTls} = await import('../server/tls.js')
      const tls = flags['tls-cert'] && flags['tls-key'] ? loadTls({cert: flags['tls-cert'], key: flags['tls-key']}) : undefined
      await serveUntilStopped({projectsDir: dir, host: flags.host, port: flags.port, tls}, async (server) => {
        const entry = await server.registry.get(flags.name)
        if (!entry) throw new ProjectError(flags.name, `no such project in ${dir}`)
        entry.project.schedule()
        await entry.project.durable()
        this.log(`Project ${flags.name} scheduled; serving on ${tls ? 'wss' : 'ws'}://${server.host}:${server.port}/agent (Ctrl-C to stop).`)
      })
    })
  }
}
