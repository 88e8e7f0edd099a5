// A TCP proxy on loopback that a fault test controls: cut() drops every connection and stops
// listening (the agent sees the network gone), restore() listens again on the same port.
import {createConnection, createServer, type Server, type Socket} from 'node:net'

export class TcpProxy {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(private readonly target: () => number) {}

  async listen(port = this.port): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection({host: '127.0.0.1', port: this.target()})
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => {}) // either end going away closes the pair below
      }
      client.pipe(upstream).on('close', () => client.destroy())
      upstream.pipe(client).on('close', () => upstream.destroy())
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
    this.server = server
    this.port = (server.address() as {port: number}).port
  }

  /** Drops every connection and refuses new ones until restore(). */
  async cut(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }

  restore(): Promise<void> {
    return this.listen(this.port)
  }

  get connections(): number {
    return this.sockets.size / 2
  }
}
