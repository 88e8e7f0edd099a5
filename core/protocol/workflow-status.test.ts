import {describe, expect, it} from 'vitest'
import {decodeAgentMessage, encodeMessage, type EventMessage} from './index.js'

const message = (event: Record<string, unknown>) => ({type: 'event', agentId: 'krios-pc', seq: 7, at: 1_750_000_000_000, event})

function refusal(value: unknown): string {
  const decoded = decodeAgentMessage(JSON.stringify(value))
  if (decoded.ok) throw new Error('expected a refusal')
  return decoded.reason
}

describe('workflowStatus event', () => {
  it('round-trips an acceptance and a refusal naming the step', () => {
    const accepted = message({kind: 'workflowStatus', revision: 2, accepted: true}) as EventMessage
    const refused = message({
      kind: 'workflowStatus', revision: 3, accepted: false, step: 'motion',
      reason: 'step motion needs 1 GPU(s) but the agent has 0 (start it with --gpus)',
    }) as EventMessage
    for (const m of [accepted, refused]) expect(decodeAgentMessage(encodeMessage(m))).toEqual({ok: true, message: m})
  })

  it('refuses a malformed one, naming the field', () => {
    expect(refusal(message({kind: 'workflowStatus', revision: 0, accepted: false}))).toMatch(/^field `event\.revision`/)
    expect(refusal(message({kind: 'workflowStatus', revision: 1, accepted: 'no'}))).toMatch(/^field `event\.accepted`/)
    expect(refusal(message({kind: 'workflowStatus', revision: 1, accepted: false, step: 'denoise'}))).toMatch(/^field `event\.step`/)
    expect(refusal(message({kind: 'workflowStatus', revision: 1, accepted: false, reason: 'x'.repeat(2001)}))).toMatch(/^field `event\.reason`/)
  })
})
