/** One problem in a workflow: the dotted field path and what is wrong with it. */
export interface WorkflowIssue {
  field: string
  problem: string
}

/** A workflow that cannot be used; the message lists every issue as "field `a.b`: problem". */
export class WorkflowError extends Error {
  override readonly name = 'WorkflowError'
  constructor(
    readonly issues: WorkflowIssue[],
    /** The file (or template) the workflow came from, when there is one. */
    readonly source?: string,
  ) {
    super(formatIssues(issues, source))
  }
}

export function formatIssues(issues: WorkflowIssue[], source?: string): string {
  const head = source ? `invalid workflow ${source}` : 'invalid workflow'
  return [head + ':', ...issues.map((i) => `  field \`${i.field || '(root)'}\`: ${i.problem}`)].join('\n')
}

/** "/ctf/defocusMax" -> "ctf.defocusMax", "/acquisition/filePatterns/0" -> "acquisition.filePatterns[0]". */
export function fieldFromPointer(pointer: string): string {
  let field = ''
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    field += /^\d+$/.test(part) ? `[${part}]` : field ? `.${part}` : part
  }
  return field
}
