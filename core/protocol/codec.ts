// Text frames <-> typed messages. Decoding never throws: garbage, oversized frames and messages
// that fail the schema come back as a refusal whose reason names the field.
import {TypeCompiler, type TypeCheck} from '@sinclair/typebox/compiler'
import {Type, type TSchema} from '@sinclair/typebox'
import {fieldFromPointer} from '../workflow/errors.js'
import {StepFinishedSchemas, MovieFoundSchema, StepStartedSchema, StepFailedSchema, SystemSampleSchema, WorkflowStatusSchema} from './events.js'
import {AgentMessageSchemas, ControllerMessageSchemas, type AgentMessage, type ControllerMessage} from './messages.js'

/** Frames larger than this are refused unread (a stepFinished with a CTF profile is ~100 kB). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

export type Decoded<T> = {ok: true; message: T} | {ok: false; reason: string}

/** What ws hands a message handler, or a plain string. */
export type Frame = string | Buffer | ArrayBuffer | Buffer[]

export function encodeMessage(message: AgentMessage | ControllerMessage): string {
  return JSON.stringify(message)
}

type Checkers = Record<string, TypeCheck<TSchema>>
const compileAll = (schemas: Record<string, TSchema>): Checkers =>
  Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, TypeCompiler.Compile(s)]))

let agentCheckers: Checkers | undefined
let controllerCheckers: Checkers | undefined
let eventCheckers: Checkers | undefined
let finishedCheckers: Checkers | undefined

function eventKinds(): Checkers {
  eventCheckers ??= compileAll({
    movieFound: MovieFoundSchema,
    stepStarted: StepStartedSchema,
    stepFailed: StepFailedSchema,
    systemSample: SystemSampleSchema,
    workflowStatus: WorkflowStatusSchema,
  })
  return eventCheckers
}

let envelopeChecker: TypeCheck<TSchema> | undefined

/** An event message refused by the compiled check: find the variant the sender meant and say what is wrong in it. */
function explainEvent(value: Record<string, unknown>): string {
  envelopeChecker ??= TypeCompiler.Compile(Type.Omit(AgentMessageSchemas.event, ['event']))
  const event = value.event as Record<string, unknown> | undefined
  if (event === null || typeof event !== 'object') return firstError(envelopeChecker, value, '') ?? 'field `event`: must be an object'
  let checker: TypeCheck<TSchema>
  if (event.kind === 'stepFinished') {
    finishedCheckers ??= compileAll(StepFinishedSchemas)
    const wrong = oneOf(Object.keys(finishedCheckers), event.step, 'event.step')
    if (wrong) return wrong
    checker = finishedCheckers[event.step as string]
  } else {
    const kinds = eventKinds()
    const wrong = oneOf([...Object.keys(kinds), 'stepFinished'], event.kind, 'event.kind')
    if (wrong) return wrong
    checker = kinds[event.kind as string]
  }
  return firstError(envelopeChecker, value, '') ?? firstError(checker, event, 'event') ?? 'invalid event'
}

/** The refusal reason when key is not one of names. */
function oneOf(names: string[], key: unknown, field: string): string | undefined {
  if (typeof key === 'string' && names.includes(key)) return undefined
  return `field \`${field}\`: must be one of ${names.map((k) => JSON.stringify(k)).join(', ')} (got ${quoted(key)})`
}

/** A value echoed in a refusal, cut short: a hostile sender must not have its payload sent back and logged. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 80)}...` : text
}

function firstError(checker: TypeCheck<TSchema>, value: unknown, prefix: string): string | undefined {
  const error = checker.Errors(value).First()
  if (!error) return undefined
  const path = fieldFromPointer(error.path)
  const field = prefix && path ? `${prefix}${path.startsWith('[') ? '' : '.'}${path}` : prefix || path
  return `field \`${field || '(message)'}\`: ${error.message.toLowerCase()}`
}

function frameText(frame: Frame): string | undefined {
  if (typeof frame === 'string') return frame.length > MAX_MESSAGE_BYTES ? undefined : frame
  const bytes = Array.isArray(frame) ? Buffer.concat(frame) : Buffer.from(frame as ArrayBuffer)
  return bytes.length > MAX_MESSAGE_BYTES ? undefined : bytes.toString('utf8')
}

function decode<T>(frame: Frame, checkers: Checkers, explain: (type: string, value: Record<string, unknown>) => string): Decoded<T> {
  try {
    const text = frameText(frame)
    if (text === undefined) return {ok: false, reason: `message larger than ${MAX_MESSAGE_BYTES} bytes`}
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return {ok: false, reason: `not JSON: ${JSON.stringify(text.slice(0, 80))}`}
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {ok: false, reason: 'message must be a JSON object'}
    const type = (value as Record<string, unknown>).type
    const missing = oneOf(Object.keys(checkers), type, 'type')
    if (missing) return {ok: false, reason: missing}
    const checker = checkers[type as string]
    if (checker.Check(value)) return {ok: true, message: value as T}
    return {ok: false, reason: explain(type as string, value as Record<string, unknown>)}
  } catch (error) {
    // Schema checks do not throw on data; this guards the receiver against the unforeseen all the same.
    return {ok: false, reason: `undecodable message: ${(error as Error).message}`}
  }
}

/** Decodes what an agent sent (controller side). */
export function decodeAgentMessage(frame: Frame): Decoded<AgentMessage> {
  agentCheckers ??= compileAll(AgentMessageSchemas)
  const checkers = agentCheckers
  return decode(frame, checkers, (type, value) =>
    type === 'event' ? explainEvent(value) : (firstError(checkers[type], value, '') ?? 'invalid'),
  )
}

/** Decodes what the controller sent (agent side). */
export function decodeControllerMessage(frame: Frame): Decoded<ControllerMessage> {
  controllerCheckers ??= compileAll(ControllerMessageSchemas)
  const checkers = controllerCheckers
  return decode(frame, checkers, (type, value) => firstError(checkers[type], value, '') ?? 'invalid')
}
