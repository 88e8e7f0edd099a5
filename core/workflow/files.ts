// Where the shipped workflows/ folder is, from source (core/workflow) or the build (dist/core/workflow).
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const SCHEMA_FILE_NAME = 'workflow.schema.json'
export const DEFAULT_TEMPLATE = 'spa-builtin'

let cached: string | undefined

/** The folder holding the templates and workflow.schema.json. */
export function workflowsDir(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'workflows')
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return (cached = candidate)
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find the workflows/ folder above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
}
