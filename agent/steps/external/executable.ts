// Where an external program is: the workflow's setting, then the environment variables the
// program's users already set (RELION_CTFFIND_EXECUTABLE, ...), then its usual names on PATH.
import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, isAbsolute, join, resolve} from 'node:path'
import type {ExternalProgramInfo} from './programs.js'

export interface FoundExecutable {
  path: string
  /** How it was found, for `agent doctor`. */
  source: 'workflow' | `env ${string}` | 'PATH'
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** A command name looked up on PATH, or a path (anything with a '/') checked as is. */
export function findCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(command)
    return isExecutableFile(path) ? path : undefined
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const path = join(dir, command)
    if (isExecutableFile(path)) return path
  }
  return undefined
}

export function locateProgram(info: ExternalProgramInfo, configured?: string, env: NodeJS.ProcessEnv = process.env): FoundExecutable | undefined {
  if (configured) {
    const path = findCommand(configured, env)
    return path ? {path, source: 'workflow'} : undefined
  }
  for (const name of info.envVars) {
    const value = env[name]
    const path = value ? findCommand(value, env) : undefined
    if (path) return {path, source: `env ${name}`}
  }
  for (const command of info.commands) {
    const path = findCommand(command, env)
    if (path) return {path, source: 'PATH'}
  }
  return undefined
}
