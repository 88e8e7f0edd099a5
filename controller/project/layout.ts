// Where things are: the projects folder and the files of one project.
import {homedir} from 'node:os'
import {join, resolve} from 'node:path'
import {ProjectError} from './errors.js'

export const PROJECTS_ENV = 'EMSTREAM_PROJECTS'

/** --dir, else $EMSTREAM_PROJECTS, else ~/emstream-projects. */
export function projectsDir(flag?: string): string {
  return resolve(flag ?? process.env[PROJECTS_ENV] ?? join(homedir(), 'emstream-projects'))
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/

export function checkProjectName(name: string): string {
  if (!NAME.test(name)) {
    throw new ProjectError(name, 'a project name is 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit')
  }
  return name
}

export interface ProjectLayout {
  root: string
  /** The resolved workflow, for people to read (the database holds the one in force). */
  workflow: string
  /** The agents' token, readable by the owner only. */
  token: string
  snapshot: string
  journal: string
  /** Held by the one process that writes the project. */
  lock: string
}

export function projectLayout(projects: string, name: string): ProjectLayout {
  const root = join(projects, checkProjectName(name))
  return {
    root,
    workflow: join(root, 'workflow.json'),
    token: join(root, 'agent-token'),
    snapshot: join(root, 'project.sqlite'),
    journal: join(root, 'journal'),
    lock: join(root, 'lock'),
  }
}

/** Written by `controller serve` so that other controller commands can reach it. */
export function serverInfoFile(projects: string): string {
  return join(projects, '.controller.json')
}
