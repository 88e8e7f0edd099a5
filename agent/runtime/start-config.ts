// `agent start` settings: flags win over environment variables (EMSTREAM_*), which win over
// the config file (--config, or EMSTREAM_AGENT_CONFIG), which wins over the defaults.
import {readFileSync} from 'node:fs'
import {availableParallelism, homedir, hostname} from 'node:os'
import {join, resolve} from 'node:path'
import {parsePathMap, PathMapError, type PathPrefix} from './path-map.js'

export interface StartConfig {
  controller: string
  token: string
  project: string
  agentId: string
  /** PEM CA certificate(s) the wss:// controller must chain to (read from --ca FILE), instead of the system CAs. */
  ca?: string
  watch?: string
  out: string
  state: string
  threads: number
  gpus: number[]
  polling: boolean
  pollInterval: number
  attempts: number
  systemInterval: number
  stableMs: number
  giveUpMs: number
  logJson: boolean
  verbose: boolean
  /** Shares the session's movies with other agents: processes only those the controller leases it. */
  shared: boolean
  /** Movies a shared agent takes at once. */
  slots: number
  /** Where this agent sees the session's files, as SHARED=LOCAL prefixes. */
  pathMap: PathPrefix[]
}

export class StartConfigError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`)
    this.name = 'StartConfigError'
  }
}

export type ConfigInput = Partial<Record<keyof StartConfig, string | number | boolean | number[] | string[] | undefined>>

const ENV: Partial<Record<keyof StartConfig, string>> = {
  controller: 'EMSTREAM_CONTROLLER',
  token: 'EMSTREAM_TOKEN',
  ca: 'EMSTREAM_CA',
  project: 'EMSTREAM_PROJECT',
  agentId: 'EMSTREAM_AGENT_ID',
  watch: 'EMSTREAM_WATCH',
  out: 'EMSTREAM_OUT',
  state: 'EMSTREAM_STATE',
  threads: 'EMSTREAM_THREADS',
  gpus: 'EMSTREAM_GPUS',
  polling: 'EMSTREAM_POLLING',
  shared: 'EMSTREAM_SHARED',
  slots: 'EMSTREAM_SLOTS',
  pathMap: 'EMSTREAM_PATH_MAP',
}

/** Merges flags, environment and the config file, and checks every field. */
export function resolveStartConfig(flags: ConfigInput & {config?: string}, env: NodeJS.ProcessEnv = process.env): StartConfig {
  const configPath = flags.config ?? env.EMSTREAM_AGENT_CONFIG
  const file = configPath ? readConfigFile(configPath) : {}
  const pick = (key: keyof StartConfig): unknown => flags[key] ?? (ENV[key] ? env[ENV[key]!] : undefined) ?? file[key]
  const text = (key: keyof StartConfig, fallback?: string): string => {
    const v = pick(key) ?? fallback
    if (typeof v !== 'string' || v === '') throw new StartConfigError(key, `required: pass --${kebab(key)}${ENV[key] ? ` or set ${ENV[key]}` : ''}`)
    return v
  }
  const number = (key: keyof StartConfig, fallback: number, min: number): number => {
    const v = pick(key) ?? fallback
    const n = typeof v === 'string' ? Number(v) : v
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min) throw new StartConfigError(key, `must be a number >= ${min}, got ${JSON.stringify(v)}`)
    return n
  }
  const bool = (key: keyof StartConfig): boolean => {
    const v = pick(key) ?? false
    return v === true || (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v))
  }
  const project = text('project')
  const agentId = text('agentId', defaultAgentId())
  if (!/^[A-Za-z0-9._@:-]+$/.test(agentId)) throw new StartConfigError('agentId', `may hold only letters, digits and . _ @ : - (got ${JSON.stringify(agentId)})`)
  const controller = agentEndpoint(text('controller'))
  const watch = pick('watch')
  const ca = pick('ca')
  return {
    ...(typeof ca === 'string' && ca !== '' ? {ca: readCaFile(ca)} : {}),
    controller,
    token: text('token'),
    project,
    agentId,
    ...(typeof watch === 'string' && watch !== '' ? {watch: resolve(watch)} : {}),
    out: resolve(text('out', 'emstream-processing')),
    state: resolve(text('state', join(homedir(), '.local', 'state', 'emstream', `agent-${project}`))),
    threads: Math.floor(number('threads', availableParallelism(), 1)),
    gpus: gpuList(pick('gpus')),
    polling: bool('polling'),
    pollInterval: number('pollInterval', 2000, 50),
    attempts: Math.floor(number('attempts', 2, 1)),
    systemInterval: number('systemInterval', 30_000, 0),
    stableMs: number('stableMs', 300, 0),
    giveUpMs: number('giveUpMs', 120_000, 0),
    logJson: bool('logJson'),
    verbose: bool('verbose'),
    shared: bool('shared'),
    slots: Math.floor(number('slots', 4, 1)),
    pathMap: pathMap(pick('pathMap')),
  }
}

/** --path-map may be repeated; the environment and the config file give a comma-separated list or an array. */
function pathMap(v: unknown): PathPrefix[] {
  if (v === undefined || v === '') return []
  const entries = Array.isArray(v) ? v.map(String) : String(v).split(',')
  try {
    return parsePathMap(entries.map((e) => e.trim()).filter((e) => e !== ''))
  } catch (error) {
    if (error instanceof PathMapError) throw new StartConfigError('pathMap', error.message)
    throw error
  }
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new StartConfigError('ca', `cannot read the CA file ${file}: ${(error as Error).message}`)
  }
}

/** ws://HOST:PORT means the controller's agent endpoint, ws://HOST:PORT/agent. */
function agentEndpoint(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new StartConfigError('controller', `must be a ws:// or wss:// URL, got ${JSON.stringify(text)}`)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new StartConfigError('controller', `must be a ws:// or wss:// URL, got ${JSON.stringify(text)}`)
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/agent'
  return url.href
}

function readConfigFile(path: string): ConfigInput {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new StartConfigError('config', `${path}: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new StartConfigError('config', `${path}: must be a JSON object`)
  return value as ConfigInput
}

function gpuList(v: unknown): number[] {
  if (v === undefined || v === '') return []
  const items = Array.isArray(v) ? v : String(v).split(',')
  return items.map((item) => {
    const n = Number(String(item).trim())
    if (!Number.isInteger(n) || n < 0) throw new StartConfigError('gpus', `GPU ids are integers >= 0, got ${JSON.stringify(item)}`)
    return n
  })
}

function defaultAgentId(): string {
  return hostname().replace(/[^A-Za-z0-9._@:-]/g, '-') || 'agent'
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}
