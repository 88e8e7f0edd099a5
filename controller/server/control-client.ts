// Client side of control.ts, for the controller commands. Over TLS the connection is made first
// and the served certificate checked against the fingerprint in server-info before the control
// token is sent.
import {request} from 'node:http'
import {connect, type TLSSocket} from 'node:tls'
import type {ProjectStatus} from '../project/queries.js'
import {ProjectError} from '../project/errors.js'
import {readServerInfo, type ServerInfo} from './server-info.js'

export type ControlAction = 'schedule' | 'stop-streaming' | 'status' | 'curate' | 'rerun'

interface Answer {
  status: number
  body: string
}

/** Asks the running controller of projectsDir; undefined when none is running. `body` is POSTed as JSON. */
export async function controlRequest<T = ProjectStatus>(projectsDir: string, project: string, action: ControlAction, body?: unknown): Promise<T | undefined> {
  const info = readServerInfo(projectsDir)
  if (!info) return undefined
  const path = `/control/projects/${encodeURIComponent(project)}/${action}`
  const method = action === 'status' ? 'GET' : 'POST'
  const headers: Record<string, string> = {authorization: `Bearer ${info.controlToken}`, ...(body === undefined ? {} : {'content-type': 'application/json'})}
  const payload = body === undefined ? undefined : JSON.stringify(body)
  let answer: Answer
  try {
    answer = info.tlsFingerprint256 ? await overPinnedTls(info, info.tlsFingerprint256, path, method, headers, payload) : await overHttp(info, path, method, headers, payload)
  } catch (error) {
    if (error instanceof ProjectError) throw error
    return undefined // it died since writing its file
  }
  const parsed = JSON.parse(answer.body) as T | {error: string}
  if (answer.status < 200 || answer.status >= 300) {
    throw new ProjectError(project, parsed !== null && typeof parsed === 'object' && 'error' in parsed ? parsed.error : `controller answered ${answer.status}`)
  }
  return parsed as T
}

async function overHttp(info: ServerInfo, path: string, method: string, headers: Record<string, string>, payload?: string): Promise<Answer> {
  const url = `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}${path}`
  const response = await fetch(url, {method, headers, ...(payload === undefined ? {} : {body: payload})})
  return {status: response.status, body: await response.text()}
}

async function overPinnedTls(info: ServerInfo, fingerprint: string, path: string, method: string, headers: Record<string, string>, payload?: string): Promise<Answer> {
  // The certificate may name another host than the bind address: identity is the pinned fingerprint.
  const socket: TLSSocket = await new Promise((resolve, reject) => {
    const s = connect({host: info.host, port: info.port, rejectUnauthorized: false})
    s.once('secureConnect', () => resolve(s)).once('error', reject)
  })
  if (socket.getPeerCertificate().fingerprint256 !== fingerprint) {
    socket.destroy()
    throw new ProjectError(`${info.host}:${info.port}`, 'the controller presented another certificate than the one it recorded in its server-info file')
  }
  return new Promise((resolve, reject) => {
    const req = request({createConnection: () => socket, method, path, headers: {...headers, host: `${info.host}:${info.port}`}}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}
