// create-project: a new project folder with its database (as a first snapshot), the resolved
// workflow and the agents' token. Refuses to replace an existing project unless forced.
import {existsSync} from 'node:fs'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {isAbsolute, resolve} from 'node:path'
import type {Workflow} from '../../core/workflow/index.js'
import {openDatabase} from './database.js'
import {ProjectError} from './errors.js'
import {projectLayout, type ProjectLayout} from './layout.js'
import {lockHolder} from './lock.js'
import {AGENT_OUTPUT_FOLDERS} from './queries.js'
import {SCHEMA_SQL, SCHEMA_VERSION} from './schema.js'
import {writeSnapshot} from './snapshot.js'
import {newToken, writeTokenFile} from './token.js'

export interface CreateProjectOptions {
  projectsDir: string
  name: string
  /** A validated workflow (core/workflow loadWorkflow / validateWorkflow). */
  workflow: Workflow
  force?: boolean
  now?: number
  /** Absolute folders the agents write their outputs to: the only places the report reads previews and picks from. */
  agentOutputFolders?: string[]
}

export interface CreatedProject {
  name: string
  path: string
  /** The agents' token; stored in the project's agent-token file (mode 0600). */
  token: string
}

export async function createProject(options: CreateProjectOptions): Promise<CreatedProject> {
  const layout = projectLayout(options.projectsDir, options.name)
  await clearPlace(layout, options)
  await mkdir(layout.root, {recursive: true, mode: 0o700})
  const now = options.now ?? Date.now()
  const db = await openDatabase()
  try {
    db.exec(SCHEMA_SQL)
    const meta = {
      name: options.name,
      schema_version: String(SCHEMA_VERSION),
      created_at: String(now),
      journal_index: '0',
      [AGENT_OUTPUT_FOLDERS]: JSON.stringify(checkedFolders(options.agentOutputFolders ?? [])),
    }
    for (const [key, value] of Object.entries(meta)) db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [key, value])
    db.run('INSERT INTO workflows (revision, workflow, created_at) VALUES (1, ?, ?)', [JSON.stringify(options.workflow), now])
    db.run(`INSERT INTO sessions (state, workflow_revision, created_at) VALUES ('created', 1, ?)`, [now])
    await writeSnapshot(layout.snapshot, db.export())
  } finally {
    db.close()
  }
  await writeFile(layout.workflow, JSON.stringify(options.workflow, null, 2) + '\n')
  const token = newToken()
  await writeTokenFile(layout.token, token)
  return {name: options.name, path: layout.root, token}
}

function checkedFolders(folders: string[]): string[] {
  for (const folder of folders) if (!isAbsolute(folder)) throw new ProjectError(folder, 'an agent output folder must be an absolute path')
  return folders.map((f) => resolve(f))
}

async function clearPlace(layout: ProjectLayout, options: CreateProjectOptions): Promise<void> {
  if (!existsSync(layout.root)) return
  if (!options.force) throw new ProjectError(layout.root, 'a project of that name already exists; pass --force to replace it')
  const holder = lockHolder(layout.lock)
  if (holder !== undefined) throw new ProjectError(layout.root, `is open in process ${holder}; stop it before replacing the project`)
  await rm(layout.root, {recursive: true, force: true})
}
