// Every message of the agent <-> controller WebSocket, one JSON text frame each.
// Order on a connection: agent sends hello; controller answers welcome (or error and closes);
// then the agent streams events and the controller answers with cumulative acks.
import {Type, type Static} from '@sinclair/typebox'
import {WorkflowSchema} from '../workflow/schema.js'
import {AgentEventSchema, MovieIdSchema, StepNameSchema} from './events.js'

const AgentId = Type.String({minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._@:-]+$'})

export const SessionStateSchema = Type.Union([Type.Literal('created'), Type.Literal('scheduled'), Type.Literal('running'), Type.Literal('closed')])

/** Agent -> controller, first message: who it is and the project token. */
export const HelloSchema = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Integer(),
  agentId: AgentId,
  /** The project to join (its name under the controller's projects folder). */
  project: Type.String({minLength: 1, maxLength: 200}),
  token: Type.String({maxLength: 1024}),
  host: Type.String(),
  software: Type.String({description: 'emstream version of the agent'}),
})

/** Agent -> controller: one event. seq is strictly increasing per agent, from 1, without gaps. */
export const EventMessageSchema = Type.Object({
  type: Type.Literal('event'),
  agentId: AgentId,
  seq: Type.Integer({minimum: 1}),
  /** When the agent recorded the event (ms since epoch). */
  at: Type.Number({minimum: 0}),
  event: AgentEventSchema,
})

/** The session as the agents should act on it. */
export const SessionInfoSchema = Type.Object({
  state: SessionStateSchema,
  /** false after stop-streaming: watch no more, finish what is queued. */
  acceptingMovies: Type.Boolean(),
})

/**
 * Agent -> controller, shared agents only (`agent start --shared`): movies this agent found and
 * asks to process, by their session-relative id. It processes a movie only once leased it. Sent
 * as found and again, all still unleased, after every welcome.
 */
export const OfferMessageSchema = Type.Object({
  type: Type.Literal('offer'),
  movies: Type.Array(MovieIdSchema, {minItems: 1, maxItems: 10_000}),
})

/**
 * Agent -> controller, shared agents only: alive, and how many movies it takes at once. The
 * controller leases it at most `slots` minus the unfinished movies it holds; any message from
 * the agent renews its leases, this one keeps them renewed while it is busy.
 */
export const HeartbeatMessageSchema = Type.Object({
  type: Type.Literal('heartbeat'),
  slots: Type.Integer({minimum: 0, maximum: 100_000}),
})

/** How long a lease lasts without a word from its agent, and after its disconnect (ms). */
export const LeaseTimingSchema = Type.Object({
  durationMs: Type.Integer({minimum: 1}),
  graceMs: Type.Integer({minimum: 0}),
})

/**
 * Controller -> agent: `granted` are this agent's to process (each leased to one agent at a
 * time); `gone` were offered but are processed or taken for good elsewhere (forget them);
 * `revoked` were this agent's until its lease expired and are now another agent's (told when it
 * is heard from again; it drops those it has not started, and a result it still sends is kept
 * only if nobody else has finished that step). One message per agent covers what the controller
 * decided while handling one batch of messages.
 */
export const LeaseMessageSchema = Type.Object({
  type: Type.Literal('lease'),
  granted: Type.Array(MovieIdSchema),
  gone: Type.Array(MovieIdSchema),
  revoked: Type.Array(MovieIdSchema),
})

export const WorkflowDeliverySchema = Type.Object({
  /** Workflow revision; the version of the step events computed under it. */
  revision: Type.Integer({minimum: 1}),
  workflow: WorkflowSchema,
})

/** Controller -> agent, after a valid hello. */
export const WelcomeSchema = Type.Object({
  type: Type.Literal('welcome'),
  protocol: Type.Integer(),
  project: Type.String(),
  /** Highest seq of this agent already applied: the agent drops outbox entries up to it and sends from lastSeq + 1. */
  lastSeq: Type.Integer({minimum: 0}),
  session: SessionInfoSchema,
  /** The controller's lease timing: a shared agent sends heartbeats well within durationMs. */
  leases: LeaseTimingSchema,
  /** Present once the project is scheduled. */
  workflow: Type.Optional(WorkflowDeliverySchema),
})

/** Controller -> agent: the workflow, when the project is scheduled after the agent connected. */
export const WorkflowMessageSchema = Type.Composite([Type.Object({type: Type.Literal('workflow')}), WorkflowDeliverySchema])

/** Controller -> agent: the session changed (stop-streaming, closed). */
export const SessionMessageSchema = Type.Composite([Type.Object({type: Type.Literal('session')}), SessionInfoSchema])

/**
 * Controller -> agent: process `steps` of these movies again, under the workflow revision it
 * carries (the new version of their results). Sent when requested and again after every
 * welcome; an agent applies each id once per movie and ignores movies it does not hold.
 */
export const RerunMessageSchema = Type.Composite([
  Type.Object({
    type: Type.Literal('rerun'),
    /** Increasing per project. */
    id: Type.Integer({minimum: 1}),
    /** The step asked for, then every step downstream of it, in pipeline order. */
    steps: Type.Array(StepNameSchema, {minItems: 1}),
    movies: Type.Array(Type.String({minLength: 1, maxLength: 4096})),
  }),
  WorkflowDeliverySchema,
])

/** Controller -> agent: every event of this agent with seq <= this is durable (cumulative). */
export const AckSchema = Type.Object({type: Type.Literal('ack'), seq: Type.Integer({minimum: 0})})

export const ERROR_CODES = [
  'invalid-message',
  'not-authenticated',
  'auth-failed',
  'protocol-version',
  'agent-mismatch',
  'seq-gap',
  'internal',
] as const

/**
 * Controller -> agent (or either way): a refused message. `fatal` errors are followed by close.
 * seq-gap: an event skipped seqs; `expected` is the seq the controller waits for.
 */
export const ErrorMessageSchema = Type.Object({
  type: Type.Literal('error'),
  code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
  message: Type.String(),
  fatal: Type.Boolean(),
  seq: Type.Optional(Type.Integer()),
  expected: Type.Optional(Type.Integer()),
})

export const AgentMessageSchemas = {hello: HelloSchema, event: EventMessageSchema, offer: OfferMessageSchema, heartbeat: HeartbeatMessageSchema}
export const ControllerMessageSchemas = {
  welcome: WelcomeSchema,
  workflow: WorkflowMessageSchema,
  session: SessionMessageSchema,
  rerun: RerunMessageSchema,
  lease: LeaseMessageSchema,
  ack: AckSchema,
  error: ErrorMessageSchema,
}

export type SessionState = Static<typeof SessionStateSchema>
export type SessionInfo = Static<typeof SessionInfoSchema>
export type Hello = Static<typeof HelloSchema>
export type EventMessage = Static<typeof EventMessageSchema>
export type Welcome = Static<typeof WelcomeSchema>
export type WorkflowMessage = Static<typeof WorkflowMessageSchema>
export type SessionMessage = Static<typeof SessionMessageSchema>
export type RerunMessage = Static<typeof RerunMessageSchema>
export type OfferMessage = Static<typeof OfferMessageSchema>
export type HeartbeatMessage = Static<typeof HeartbeatMessageSchema>
export type LeaseTiming = Static<typeof LeaseTimingSchema>
export type LeaseMessage = Static<typeof LeaseMessageSchema>
export type Ack = Static<typeof AckSchema>
export type ErrorCode = (typeof ERROR_CODES)[number]
export type ErrorMessage = Static<typeof ErrorMessageSchema>
export type AgentMessage = Hello | EventMessage | OfferMessage | HeartbeatMessage
export type ControllerMessage = Welcome | WorkflowMessage | SessionMessage | RerunMessage | LeaseMessage | Ack | ErrorMessage
