// The controller's side of `controller rerun` while it serves (POST .../rerun {step, settings, selection}).
import type {IncomingMessage} from 'node:http'
import {ProjectError} from '../project/errors.js'
import type {Project} from '../project/project.js'
import type {RerunRequest} from '../project/records.js'
import {planRerun, type RerunInput} from './plan.js'

const MAX_BODY = 1024 * 1024

/** Plans and records the rerun; the server's rerun listener sends it to the connected agents. */
export async function rerunRequest(request: IncomingMessage, project: Project): Promise<RerunRequest> {
  const input = checkInput(await readBody(request, project.name), project.name)
  const rerun = planRerun(project, input)
  project.rerun(rerun)
  await project.durable()
  return rerun
}

function checkInput(body: unknown, name: string): RerunInput {
  const b = (body ?? {}) as Partial<RerunInput>
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string')
  const selection = b.selection as RerunInput['selection'] | undefined
  const selectionOk = selection?.kind === 'all' || selection?.kind === 'rejected' || (selection?.kind === 'list' && strings(selection.movies))
  if (typeof b.step !== 'string' || !strings(b.settings) || !selectionOk) {
    throw new ProjectError(name, 'rerun: the body must be {step, settings: ["k=v", ...], selection: {kind: "all" | "rejected"} | {kind: "list", movies: [...]}}')
  }
  return b as RerunInput
}

async function readBody(request: IncomingMessage, name: string): Promise<unknown> {
  let text = ''
  for await (const chunk of request) {
    text += String(chunk)
    if (text.length > MAX_BODY) throw new ProjectError(name, 'rerun: request body too large')
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new ProjectError(name, 'rerun: request body is not JSON')
  }
}
