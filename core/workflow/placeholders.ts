// Template placeholders: a string value "{{ name }}" marks a value the user must supply. Templates
// name each placeholder after its own dotted path, so `--set <that path>=value` fills it.
export interface Placeholder {
  /** Where the placeholder sits (dotted path). */
  field: string
  /** The text inside the braces. */
  name: string
}

const PLACEHOLDER = /^\{\{\s*(.+?)\s*\}\}$/

export function isPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && PLACEHOLDER.test(value)
}

/** Every placeholder left in a document, in document order. */
export function findPlaceholders(document: unknown, prefix = ''): Placeholder[] {
  if (isPlaceholder(document)) return [{field: prefix, name: PLACEHOLDER.exec(document)![1]}]
  if (document === null || typeof document !== 'object') return []
  const entries = Array.isArray(document)
    ? document.map((v, i) => [`${prefix}[${i}]`, v] as const)
    : Object.entries(document).map(([k, v]) => [prefix ? `${prefix}.${k}` : k, v] as const)
  return entries.flatMap(([field, value]) => findPlaceholders(value, field))
}
