// The controller's side of `controller curate` while it serves (POST .../curate {settings}).
import type {IncomingMessage} from 'node:http'
import {ProjectError} from '../project/errors.js'
import type {Project} from '../project/project.js'
import {applyCuration} from './apply.js'
import type {Curation} from './read.js'

const MAX_BODY = 64 * 1024

export async function curateRequest(request: IncomingMessage, project: Project): Promise<Curation> {
  const body = await readBody(request, project.name)
  const settings = (body as {settings?: unknown}).settings ?? []
  if (!Array.isArray(settings) || !settings.every((s) => typeof s === 'string')) {
    throw new ProjectError(project.name, 'curate: "settings" must be a list of "group.name=value" texts')
  }
  const curation = applyCuration(project, settings)
  await project.durable()
  return curation
}

async function readBody(request: IncomingMessage, name: string): Promise<unknown> {
  let text = ''
  for await (const chunk of request) {
    text += String(chunk)
    if (text.length > MAX_BODY) throw new ProjectError(name, 'curate: request body too large')
  }
  try {
    return text === '' ? {} : JSON.parse(text)
  } catch {
    throw new ProjectError(name, 'curate: request body is not JSON')
  }
}
