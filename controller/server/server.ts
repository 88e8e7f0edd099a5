// `controller serve`: agents connect over WebSocket (ws://host:port/agent); controller commands
// reach it over HTTP on the same port (/control/...), with the control token of server-info.ts.
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {createServer as createTlsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {WebSocketServer} from 'ws'
import {MAX_MESSAGE_BYTES, type SessionInfo} from '../../core/protocol/index.js'
import type {Workflow} from '../../core/workflow/index.js'
import type {LeaseTiming} from '../project/lease-table.js'
import type {SnapshotPolicy} from '../project/project.js'
import {MonitorService} from '../monitors/service.js'
import {LiveReports} from '../report/live.js'
import {rerunMessage} from '../rerun/message.js'
import {AgentConnection, type Joined} from './connection.js'
import {handleControl} from './control.js'
import {LeaseActivityLog} from './lease-log.js'
import {MAX_UNAUTHENTICATED, RateLimit} from './limits.js'
import {stderrLog, type Log} from './log.js'
import {ProjectRegistry, type OpenProject} from './registry.js'
import {removeServerInfo, writeServerInfo, type ServerInfo} from './server-info.js'
import {isLoopback, type TlsMaterial} from './tls.js'

export const AGENT_PATH = '/agent'
export const DEFAULT_PORT = 7412
const TICK_MS = 10_000
/** How often expired movie leases are looked for (at most; shorter when the grace is short). */
const LEASE_TICK_MS = 1000

export interface ServeOptions {
  projectsDir: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  log?: Log
  snapshotPolicy?: SnapshotPolicy
  /** Serve wss:// and https:// with this certificate and key (tls.ts loadTls). */
  tls?: TlsMaterial
  /** Messages per second and burst per agent connection (limits.ts defaults). */
  rateLimit?: {perSecond: number; burst: number}
  /** Movie leases of shared agents: how long one lasts without a word from its agent, and after its disconnect. */
  leaseTiming?: LeaseTiming
  /** Called when the journal cannot be written: the caller must exit (nothing more is acknowledged). */
  onFatal?: (error: Error) => void
}

export interface ControllerServer {
  host: string
  port: number
  info: ServerInfo
  registry: ProjectRegistry
  /** Resolves when the server has stopped (close() or a fatal journal error). */
  closed: Promise<void>
  close(): Promise<void>
}

export async function startServer(options: ServeOptions): Promise<ControllerServer> {
  const log = options.log ?? stderrLog
  const connections = new Set<AgentConnection>()
  /** The current connection of each joined agent, per project (lease notices go to one agent). */
  const agentConnections = new Map<string, Map<string, AgentConnection>>()
  const agentsOf = (project: string) => {
    let agents = agentConnections.get(project)
    if (!agents) {
      agents = new Map()
      agentConnections.set(project, agents)
    }
    return agents
  }
  const registry = new ProjectRegistry(options.projectsDir, log, {snapshotPolicy: options.snapshotPolicy, leaseTiming: options.leaseTiming}, (entry) => watchSession(entry))
  let stop: () => Promise<void> = async () => {}
  const fatal = (error: Error) => {
    log('error', `stopping: ${error.message}`)
    options.onFatal?.(error)
    void stop()
  }

  // Monitors of each open project, evaluated on their own timer (controller/monitors).
  const monitors = new Set<MonitorService>()
  // What each open project's leases did, logged in summary on the lease ticker.
  const leaseLogs = new Set<LeaseActivityLog>()
  // The live report of each open project (controller/report): rebuilt on its interval, served at /report/<project>/.
  const reports = new LiveReports(options.projectsDir, log)

  function watchSession({project}: OpenProject) {
    const service = new MonitorService(project, {log})
    monitors.add(service)
    service.start()
    reports.watch(project)
    project.onSessionChange((session: SessionInfo, workflow: {revision: number; workflow: Workflow}) => {
      for (const c of connections) {
        if (c.project !== project.name) continue
        if (session.state === 'scheduled') c.send({type: 'workflow', ...workflow})
        c.send({type: 'session', ...session})
      }
    })
    project.onRerun((rerun) => {
      for (const c of connections) if (c.project === project.name) c.send(rerunMessage(rerun))
    })
    const leaseLog = new LeaseActivityLog(project.name, log)
    leaseLogs.add(leaseLog)
    project.leases.onNotice((notice) => {
      const {agent, granted, gone, revoked} = notice
      agentConnections.get(project.name)?.get(agent)?.send({type: 'lease', granted, gone, revoked})
      leaseLog.noticed(notice)
    }, fatal)
  }

  function joined(connection: AgentConnection, {agentId, entry}: Joined) {
    agentsOf(entry.project.name).set(agentId, connection)
    for (const other of connections) {
      if (other !== connection && other.agentId === agentId && other.project === entry.project.name) {
        log('warn', `${other.who}: replaced by a new connection of the same agent`)
        other.close(1000, 'replaced')
      }
    }
  }

  const tls = options.tls
  const http: Server = tls ? createTlsServer({cert: tls.cert, key: tls.key}) : createServer()
  const host = options.host ?? '127.0.0.1'
  if (!tls && !isLoopback(host)) {
    log('warn', `serving ${host} without TLS: agent tokens and results cross the network in clear; give --tls-cert and --tls-key`)
  }
  const info = {current: undefined as ServerInfo | undefined}
  http.on('request', (request, response) => {
    if (reports.handles(request)) return void reports.serve(request, response)
    void handleControl(request, response, {registry, controlToken: info.current!.controlToken, log})
  })
  const wss = new WebSocketServer({noServer: true, maxPayload: MAX_MESSAGE_BYTES})
  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== AGENT_PATH) return void socket.destroy()
    const peer = `${request.socket.remoteAddress}:${request.socket.remotePort}`
    // Connections that never say hello would otherwise each hold a socket and a hello timer.
    if ([...connections].filter((c) => !c.authenticated).length >= MAX_UNAUTHENTICATED) {
      log('warn', `connection ${peer}: turned away, ${MAX_UNAUTHENTICATED} connections are already waiting for their hello`)
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const rate = options.rateLimit && new RateLimit(options.rateLimit.perSecond, options.rateLimit.burst)
      const connection = new AgentConnection(ws, peer, registry, log, joined, fatal, rate)
      connections.add(connection)
      ws.on('close', () => {
        connections.delete(connection)
        const project = connection.joinedProject
        const agentId = connection.agentId
        if (!project || agentId === undefined) return
        // A connection replaced by a newer one of the same agent is no disconnect.
        const agents = agentConnections.get(project.name)
        if (agents?.get(agentId) !== connection) return
        agents.delete(agentId)
        project.leases.disconnected(agentId)
      })
    })
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? DEFAULT_PORT, host, () => resolve())
  })
  const port = (http.address() as AddressInfo).port
  info.current = writeServerInfo(options.projectsDir, {host, port, ...(tls ? {tlsFingerprint256: tls.fingerprint256} : {})})
  log('info', `controller serving ${options.projectsDir} on ${tls ? 'wss' : 'ws'}://${host}:${port}${AGENT_PATH}`)

  const ticker = setInterval(async () => {
    for (const {project} of await registry.all()) await project.tick().catch(fatal)
  }, TICK_MS)
  ticker.unref()
  const leaseTicker = setInterval(async () => {
    for (const {project} of await registry.all()) project.tickLeases()
    for (const leaseLog of leaseLogs) leaseLog.flushIfDue()
  }, Math.min(LEASE_TICK_MS, Math.max(50, (options.leaseTiming?.graceMs ?? LEASE_TICK_MS) / 4)))
  leaseTicker.unref()

  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))
  let stopping: Promise<void> | undefined
  stop = () =>
    (stopping ??= (async () => {
      clearInterval(ticker)
      clearInterval(leaseTicker)
      await Promise.all([...monitors].map((m) => m.stop()))
      await reports.stop()
      removeServerInfo(options.projectsDir, info.current!)
      for (const c of connections) c.close(1001, 'controller stopping')
      wss.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await registry.closeAll().catch((error: Error) => log('error', `closing projects: ${error.message}`))
      log('info', 'controller stopped')
      resolveClosed()
    })())

  return {host, port, info: info.current, registry, closed, close: () => stop()}
}
