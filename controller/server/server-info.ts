// `controller serve` leaves its address and a control token (owner-readable) in the projects
// folder; schedule-project, stop-streaming and status use them to reach the running controller.
import {randomBytes} from 'node:crypto'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {serverInfoFile} from '../project/layout.js'
import {processAlive} from '../../core/system/process-alive.js'

export interface ServerInfo {
  host: string
  port: number
  pid: number
  controlToken: string
  /** Set when the server speaks TLS: its certificate, pinned by the control client. */
  tlsFingerprint256?: string
}

export function writeServerInfo(projectsDir: string, info: Omit<ServerInfo, 'controlToken' | 'pid'>): ServerInfo {
  const full = {...info, pid: process.pid, controlToken: randomBytes(32).toString('base64url')}
  const file = serverInfoFile(projectsDir)
  rmSync(file, {force: true})
  writeFileSync(file, JSON.stringify(full) + '\n', {mode: 0o600})
  return full
}

export function removeServerInfo(projectsDir: string, info: ServerInfo): void {
  if (readServerInfo(projectsDir)?.controlToken === info.controlToken) rmSync(serverInfoFile(projectsDir), {force: true})
}

/** The running controller of this projects folder, if its process is alive. */
export function readServerInfo(projectsDir: string): ServerInfo | undefined {
  const file = serverInfoFile(projectsDir)
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as ServerInfo
    // A controller that died leaves its file behind: only a live pid counts.
    return processAlive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}
