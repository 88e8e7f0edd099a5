// Runtime validation of a workflow document: JSON Schema (ajv, defaults filled in) first, then the
// checks one field cannot express alone (ranges whose ends are two fields). Every problem names its field.
import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import {fieldFromPointer, WorkflowError, type WorkflowIssue} from './errors.js'
import {workflowJsonSchema} from './json-schema.js'
import type {Workflow} from './types.js'

let compiled: ValidateFunction | undefined

function validator(): ValidateFunction {
  // strict: false because the schema carries editor-only keywords ($id title etc. are fine; TypeBox adds none in JSON).
  // verbose: a pattern error carries its field's schema, whose description says what the value must look like.
  compiled ??= new Ajv({allErrors: true, useDefaults: true, strict: false, verbose: true}).compile(workflowJsonSchema())
  return compiled
}

function join(field: string, child: string): string {
  return field ? `${field}.${child}` : child
}

function describe(error: ErrorObject): WorkflowIssue {
  const field = fieldFromPointer(error.instancePath)
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return {field: join(field, String(p.missingProperty)), problem: 'required value is missing'}
    case 'additionalProperties':
      return {field: join(field, String(p.additionalProperty)), problem: 'is not a workflow setting (check the spelling)'}
    case 'type':
      return {field, problem: `must be ${p.type === 'integer' ? 'an integer' : `a ${p.type}`}`}
    case 'enum':
      return {field, problem: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`}
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {field, problem: `must be a number ${p.comparison} ${p.limit}`}
    case 'minLength':
      return {field, problem: p.limit === 1 ? 'must not be empty' : `must have at least ${p.limit} characters`}
    case 'minItems':
      return {field, problem: `must list at least ${p.limit} item${p.limit === 1 ? '' : 's'}`}
    case 'pattern': {
      const says = (error.parentSchema as {description?: string} | undefined)?.description
      return {field, problem: `${says ?? `must match ${p.pattern}`} (got ${JSON.stringify(error.data)})`}
    }
    case 'uniqueItems':
      return {field, problem: `must not repeat an item (items ${p.j} and ${p.i} are equal)`}
    default:
      return {field, problem: error.message ?? error.keyword}
  }
}

/** Cross-field rules: each returns the issue, or undefined when the rule holds. */
function crossFieldIssues(w: Workflow): WorkflowIssue[] {
  const issues: WorkflowIssue[] = []
  const rule = (ok: boolean, field: string, problem: string) => {
    if (!ok) issues.push({field, problem})
  }
  rule(w.ctf.defocusMax > w.ctf.defocusMin, 'ctf.defocusMax', `must be a number > ctf.defocusMin (${w.ctf.defocusMin})`)
  rule(
    w.ctf.maxResolution < w.ctf.minResolution,
    'ctf.maxResolution',
    `must be a number < ctf.minResolution (${w.ctf.minResolution} A): resolutions are spacings, finer is smaller`,
  )
  rule(
    !w.ctf.findPhaseShift || w.ctf.phaseShiftMax > w.ctf.phaseShiftMin,
    'ctf.phaseShiftMax',
    `must be a number > ctf.phaseShiftMin (${w.ctf.phaseShiftMin})`,
  )
  rule(
    w.picking.diameterMax >= w.picking.diameterMin,
    'picking.diameterMax',
    `must be a number >= picking.diameterMin (${w.picking.diameterMin})`,
  )
  rule(
    w.motion.lastFrame === 0 || w.motion.lastFrame >= w.motion.firstFrame,
    'motion.lastFrame',
    `must be 0 (the last frame) or >= motion.firstFrame (${w.motion.firstFrame})`,
  )
  for (const program of ['motioncor2', 'motioncor3'] as const) {
    rule(w.motion.program !== program || w.motion.gpus.length > 0, 'motion.gpus', `must list at least one GPU id for ${program}`)
  }
  rule(w.ctf.program !== 'gctf' || w.ctf.gpus.length > 0, 'ctf.gpus', 'must list at least one GPU id for gctf')
  const cryolo = w.picking.enabled && w.picking.program === 'cryolo'
  rule(!cryolo || w.picking.cryolo.config !== undefined, 'picking.cryolo.config', 'required value is missing for program "cryolo"')
  rule(!cryolo || w.picking.cryolo.weights !== undefined, 'picking.cryolo.weights', 'required value is missing for program "cryolo"')
  return issues
}

export type WorkflowCheck = {ok: true; workflow: Workflow} | {ok: false; issues: WorkflowIssue[]}

/** Checks a parsed workflow document; on success returns a copy with every default filled in. */
export function checkWorkflow(document: unknown): WorkflowCheck {
  const copy = structuredClone(document)
  const validate = validator()
  if (!validate(copy)) return {ok: false, issues: dedupe((validate.errors ?? []).map(describe))}
  const workflow = copy as Workflow
  const issues = crossFieldIssues(workflow)
  return issues.length > 0 ? {ok: false, issues} : {ok: true, workflow}
}

/** Like checkWorkflow, but throws a WorkflowError naming every bad field. */
export function validateWorkflow(document: unknown, source?: string): Workflow {
  const result = checkWorkflow(document)
  if (!result.ok) throw new WorkflowError(result.issues, source)
  return result.workflow
}

function dedupe(issues: WorkflowIssue[]): WorkflowIssue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const key = `${i.field}\0${i.problem}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
