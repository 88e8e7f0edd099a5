// Loading a workflow from a template or file: --set values, then (on a terminal) prompts for
// placeholders still unfilled, then validation.
import {existsSync, readdirSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'
import {WorkflowError} from './errors.js'
import {DEFAULT_TEMPLATE, SCHEMA_FILE_NAME, workflowsDir} from './files.js'
import {findPlaceholders, type Placeholder} from './placeholders.js'
import {stdinIsTerminal, terminalAsk, type Ask} from './prompt.js'
import {applySettings, schemaAt, type Setting} from './settings.js'
import type {Workflow} from './types.js'
import {validateWorkflow} from './validate.js'

/** Names of the shipped templates (file names without .json). */
export function listTemplates(): string[] {
  return readdirSync(workflowsDir())
    .filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE_NAME)
    .map((f) => basename(f, '.json'))
    .sort()
}

/** A workflow file path, or a template name ("spa-builtin"), resolved to a file. */
export function resolveWorkflowFile(fileOrTemplate: string = DEFAULT_TEMPLATE): string {
  const asPath = resolve(fileOrTemplate)
  if (existsSync(asPath)) return asPath
  const name = basename(fileOrTemplate, '.json')
  if (fileOrTemplate === name || fileOrTemplate === `${name}.json`) {
    const template = join(workflowsDir(), `${name}.json`)
    if (existsSync(template)) return template
  }
  throw new WorkflowError(
    [{field: '', problem: `no such workflow file or template (templates: ${listTemplates().join(', ')})`}],
    fileOrTemplate,
  )
}

export async function readWorkflowDocument(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new WorkflowError([{field: '', problem: `cannot read: ${(error as Error).message}`}], file)
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new WorkflowError([{field: '', problem: `is not valid JSON: ${(error as Error).message}`}], file)
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new WorkflowError([{field: '', problem: 'must be a JSON object'}], file)
  }
  return document as Record<string, unknown>
}

export interface LoadWorkflowOptions {
  /** `--set` texts ("a.b=value") or parsed settings, applied in order. */
  settings?: (string | Setting)[]
  /** Ask for unfilled placeholders; default: when stdin is a terminal. */
  ask?: Ask | false
}

export interface LoadedWorkflow {
  workflow: Workflow
  /** The file it came from. */
  file: string
}

/** Reads, fills and validates a workflow; throws a WorkflowError naming every bad field. */
export async function loadWorkflow(fileOrTemplate?: string, options: LoadWorkflowOptions = {}): Promise<LoadedWorkflow> {
  const file = resolveWorkflowFile(fileOrTemplate)
  let document = await readWorkflowDocument(file)
  try {
    document = applySettings(document, options.settings ?? [])
    document = await fillPlaceholders(document, options.ask)
  } catch (error) {
    if (error instanceof WorkflowError) throw new WorkflowError(error.issues, file)
    throw error
  }
  return {workflow: validateWorkflow(document, file), file}
}

async function fillPlaceholders(document: Record<string, unknown>, ask: Ask | false | undefined): Promise<Record<string, unknown>> {
  const missing = findPlaceholders(document)
  if (missing.length === 0) return document
  if (ask === false || (ask === undefined && !stdinIsTerminal())) throw missingError(missing)
  if (ask) return askFor(document, missing, ask)
  const terminal = terminalAsk()
  try {
    return await askFor(document, missing, terminal.ask)
  } finally {
    terminal.close()
  }
}

async function askFor(document: Record<string, unknown>, missing: Placeholder[], ask: Ask): Promise<Record<string, unknown>> {
  let filled = document
  for (const {field} of missing) {
    const description = schemaAt(field)?.description
    // Re-ask until the answer has the right type for the field.
    for (;;) {
      const answer = await ask(`${field}${description ? ` (${description})` : ''}: `)
      try {
        filled = applySettings(filled, [{field, raw: answer}])
        break
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error
        process.stderr.write(`${error.issues.map((i) => i.problem).join('; ')}\n`)
      }
    }
  }
  return filled
}

function missingError(missing: Placeholder[]): WorkflowError {
  return new WorkflowError(missing.map(({field}) => ({field, problem: `required value is missing: pass --set ${field}=VALUE`})))
}
