// Agents: one that has sent nothing for too long while the session runs is disconnected or hung
// (a connected agent sends a system sample at least every few seconds to minutes); one that
// refused the workflow (e.g. a step needs GPUs it was not started with) processes nothing.
import type {MonitorSettings} from '../../core/workflow/index.js'
import {fmt, type Finding} from './finding.js'
import type {AgentRow, MonitorInput} from './input.js'

export function agentFindings(input: MonitorInput, settings: MonitorSettings['agents']): Finding[] {
  if (!settings.enabled) return []
  return [...silentAgents(input, settings), ...refusingAgents(input)]
}

function silentAgents(input: MonitorInput, settings: MonitorSettings['agents']): Finding[] {
  if (input.session.state !== 'running') return []
  return input.agents
    .filter((a) => (input.now - a.lastSeenAt) / 1000 > settings.maxSilenceSeconds)
    .map((a) => {
      const seconds = (input.now - a.lastSeenAt) / 1000
      return {
        key: `agents.silent:${a.agentId}`,
        severity: 'critical',
        message:
          `Agent ${a.agentId}${onHost(a)} disconnected: nothing received for ${fmt(seconds)} s ` +
          `(since ${new Date(a.lastSeenAt).toISOString()}; threshold ${fmt(settings.maxSilenceSeconds)} s)`,
        since: a.lastSeenAt,
        value: seconds,
        threshold: settings.maxSilenceSeconds,
      } satisfies Finding
    })
}

/** Scheduled or running: a refusing agent may be why no movie arrives at all, so it is not gated on 'running'. */
function refusingAgents(input: MonitorInput): Finding[] {
  if (input.session.state !== 'scheduled' && input.session.state !== 'running') return []
  return input.agents.flatMap((a) => {
    const r = a.refusal
    if (!r) return []
    return [{
      key: `agents.workflowRefused:${a.agentId}`,
      severity: 'critical',
      message: `Agent ${a.agentId}${onHost(a)} refused workflow revision ${r.revision} and processes nothing: ${r.reason}`,
      since: r.at,
    } satisfies Finding]
  })
}

const onHost = (a: AgentRow) => (a.host ? ` on ${a.host}` : '')
