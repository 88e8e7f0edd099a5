// The HTTP control API the controller commands use while a controller serves:
//   POST /control/projects/NAME/schedule | /control/projects/NAME/stop-streaming
//   GET  /control/projects/NAME/status
//   POST /control/projects/NAME/curate  {settings: ["ctf.maxResolution=5", ...]} (controller/curation)
//   POST /control/projects/NAME/rerun   {step, settings, selection} (controller/rerun)
// Authorization: Bearer <control token from the projects folder's .controller.json>.
import type {IncomingMessage, ServerResponse} from 'node:http'
import {curateRequest} from '../curation/control.js'
import {ProjectError} from '../project/errors.js'
import {withLeases} from '../project/lease-status.js'
import {rerunRequest} from '../rerun/control.js'
import {tokensEqual} from '../project/token.js'
import type {Log} from './log.js'
import type {ProjectRegistry} from './registry.js'

export interface ControlContext {
  registry: ProjectRegistry
  controlToken: string
  log: Log
}

const ROUTE = /^\/control\/projects\/([^/]+)\/(schedule|stop-streaming|status|curate|rerun)$/

export async function handleControl(request: IncomingMessage, response: ServerResponse, context: ControlContext): Promise<void> {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, {'content-type': 'application/json'})
    response.end(JSON.stringify(body))
  }
  try {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? ''
    if (!tokensEqual(bearer, context.controlToken)) return reply(401, {error: 'missing or wrong control token'})
    const match = ROUTE.exec(new URL(request.url ?? '/', 'http://x').pathname)
    const method = match?.[2] === 'status' ? 'GET' : 'POST'
    if (!match || request.method !== method) return reply(404, {error: 'no such control request'})
    const name = decodeURIComponent(match[1])
    const entry = await context.registry.get(name)
    if (!entry) return reply(404, {error: `no project ${name}`})
    const {project} = entry
    if (match[2] === 'curate') return reply(200, await curateRequest(request, project))
    if (match[2] === 'rerun') return reply(200, await rerunRequest(request, project))
    if (match[2] === 'schedule') {
      project.schedule()
      context.log('info', `project ${name} scheduled`)
    } else if (match[2] === 'stop-streaming') {
      project.closeInput('stop-streaming')
      context.log('info', `project ${name}: input closed (stop-streaming)`)
    }
    if (match[2] !== 'status') await project.durable()
    reply(200, withLeases(project.status(), project.leases.status()))
  } catch (error) {
    if (error instanceof ProjectError) return reply(409, {error: error.message})
    context.log('error', `control request ${request.url}: ${(error as Error).stack ?? error}`)
    reply(500, {error: (error as Error).message})
  }
}
