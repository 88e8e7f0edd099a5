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
