// Client side of control.ts, for the controller commands.
import type {ProjectStatus} from '../project/queries.js'
import {ProjectError} from '../project/errors.js'
import {readServerInfo} from './server-info.js'

export type ControlAction = 'schedule' | 'stop-streaming' | 'status'

/** Asks the running controller of projectsDir; undefined when none is running. */
export async function controlRequest(projectsDir: string, project: string, action: ControlAction): Promise<ProjectStatus | undefined> {
  const info = readServerInfo(projectsDir)
  if (!info) return undefined
  const url = `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}/control/projects/${encodeURIComponent(project)}/${action}`
  let response: Response
  try {
    response = await fetch(url, {method: action === 'status' ? 'GET' : 'POST', headers: {authorization: `Bearer ${info.controlToken}`}})
  } catch {
    return undefined // it died since writing its file
  }
  const body = (await response.json()) as ProjectStatus | {error: string}
  if (!response.ok) throw new ProjectError(project, 'error' in body ? body.error : `controller answered ${response.status}`)
  return body as ProjectStatus
}
