// The JSON Schema users and editors see: the TypeBox schema with every property that has a
// default made optional (validation fills it in, so the resolved Workflow type has it), and
// unions of literals written as enums.
import {WorkflowSchema} from './schema.js'

type JsonSchema = {[key: string]: unknown}

/** anyOf of consts (TypeBox's union of literals) as an `enum` of one type, which editors offer as choices. */
function asEnum(node: JsonSchema): JsonSchema {
  const options = node.anyOf as JsonSchema[] | undefined
  if (!options?.every((o) => 'const' in o && o.type === options[0].type)) return node
  const {anyOf: _, ...rest} = node
  return {type: options[0].type, enum: options.map((o) => o.const), ...rest}
}

function relaxDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxDefaults)
  if (node === null || typeof node !== 'object') return node
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(asEnum(node as JsonSchema))) out[key] = relaxDefaults(value)
  const properties = out.properties as Record<string, JsonSchema> | undefined
  if (Array.isArray(out.required) && properties) {
    const required = (out.required as string[]).filter((name) => properties[name]?.default === undefined)
    if (required.length > 0) out.required = required
    else delete out.required
  }
  return out
}

let cached: JsonSchema | undefined

/** The workflow JSON Schema (draft 2020-12 compatible, plain JSON: TypeBox's symbols dropped). */
export function workflowJsonSchema(): JsonSchema {
  cached ??= relaxDefaults(JSON.parse(JSON.stringify(WorkflowSchema))) as JsonSchema
  return cached
}

/** The text of workflows/workflow.schema.json. */
export function workflowJsonSchemaText(): string {
  return JSON.stringify(workflowJsonSchema(), null, 2) + '\n'
}
