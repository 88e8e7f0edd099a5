// Client side of control.ts, for the controller commands.
import type {ProjectStatus} from '../project/queries.js'
import {ProjectError} from '../project/errors.js'
import {readServerInfo} from './server-info.js'

export type ControlAction = 'schedule' | 'stop-streaming' | 'status' | 'curate'

/** Asks the running controller of projectsDir; undefined when none is running. `body` is POSTed as JSON. */
export async function controlRequest<T = ProjectStatus>(projectsDir: string, project: string, action: ControlAction, body?: unknown): Promise<T | undefined> {
  const info = readServerInfo(projectsDir)
  if (!info) return undefined
  const url = `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}/control/projects/${encodeURIComponent(project)}/${action}`
  let response: Response
  try {
    response = await fetch(url, {
      method: action === 'status' ? 'GET' : 'POST',
      headers: {authorization: `Bearer ${info.controlToken}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
      ...(body === undefined ? {} : {body: JSON.stringify(body)}),
    })
  } catch {
    return undefined // it died since writing its file
  }
  const answer = (await response.json()) as T | {error: string}
  if (!response.ok) throw new ProjectError(project, answer !== null && typeof answer === 'object' && 'error' in answer ? answer.error : `controller answered ${response.status}`)
  return answer as T
}
