// `--set a.b.c=value`: a dotted workflow path and a text value, typed by the schema at that path
// (numbers, booleans, comma-separated or JSON lists), so `--set ctf.defocusMax=40000` stores 40000.
import {WorkflowError, type WorkflowIssue} from './errors.js'
import {workflowJsonSchema} from './json-schema.js'

type SchemaNode = {
  type?: string
  enum?: unknown[]
  properties?: Record<string, SchemaNode>
  items?: SchemaNode
  description?: string
}

export interface Setting {
  /** Dotted path, e.g. "acquisition.pixelSize". */
  field: string
  /** The text after '=' as given. */
  raw: string
}

/** Parses "a.b=value" (value may contain '='). */
export function parseSetting(text: string): Setting {
  const eq = text.indexOf('=')
  const field = eq > 0 ? text.slice(0, eq).trim() : ''
  if (!field || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(field)) {
    throw new WorkflowError([{field: field || text, problem: 'a setting must look like key.path=value'}])
  }
  return {field, raw: text.slice(eq + 1)}
}

/** The schema node describing a dotted path, or undefined when the workflow has no such setting. */
export function schemaAt(field: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = workflowJsonSchema() as SchemaNode
  for (const part of field.split('.')) node = node?.properties?.[part]
  return node
}

function typedScalar(field: string, raw: string, node: SchemaNode | undefined): unknown {
  const text = raw.trim()
  switch (node?.type) {
    case 'number':
    case 'integer': {
      const value = Number(text)
      if (text === '' || !Number.isFinite(value)) throw issue(field, `must be a number (got ${JSON.stringify(raw)})`)
      return value
    }
    case 'boolean':
      if (/^(true|yes|on|1)$/i.test(text)) return true
      if (/^(false|no|off|0)$/i.test(text)) return false
      throw issue(field, `must be true or false (got ${JSON.stringify(raw)})`)
    case 'object':
      return parseJson(field, text)
    default:
      return raw
  }
}

/** The value of a setting, typed by the schema; throws a WorkflowError naming the field. */
export function typedValue(setting: Setting): unknown {
  const node = schemaAt(setting.field)
  if (!node) throw issue(setting.field, 'is not a workflow setting (check the spelling)')
  if (node.type !== 'array') return typedScalar(setting.field, setting.raw, node)
  const text = setting.raw.trim()
  if (text.startsWith('[')) return parseJson(setting.field, text)
  const items = text === '' ? [] : text.split(',')
  return items.map((item, i) => typedScalar(`${setting.field}[${i}]`, item.trim(), node.items))
}

/** Writes value at a dotted path, creating the objects on the way. */
export function setAt(document: Record<string, unknown>, field: string, value: unknown): void {
  const parts = field.split('.')
  let node = document
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts[parts.length - 1]] = value
}

/** Applies settings ("a.b=value" texts or parsed) in order to a copy of document; all problems in one error. */
export function applySettings(document: Record<string, unknown>, settings: (string | Setting)[]): Record<string, unknown> {
  const out = structuredClone(document)
  const issues: WorkflowIssue[] = []
  for (const entry of settings) {
    try {
      const setting = typeof entry === 'string' ? parseSetting(entry) : entry
      setAt(out, setting.field, typedValue(setting))
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error
      issues.push(...error.issues)
    }
  }
  if (issues.length > 0) throw new WorkflowError(issues)
  return out
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw issue(field, `is not valid JSON: ${(error as Error).message}`)
  }
}

function issue(field: string, problem: string): WorkflowError {
  return new WorkflowError([{field, problem}])
}
