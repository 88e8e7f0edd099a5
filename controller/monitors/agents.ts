// Agents: one that has sent nothing for too long while the session runs is disconnected or hung
// (a connected agent sends a system sample at least every few seconds to minutes).
import type {MonitorSettings} from '../../core/workflow/index.js'
import {fmt, type Finding} from './finding.js'
import type {MonitorInput} from './input.js'

export function agentFindings(input: MonitorInput, settings: MonitorSettings['agents']): Finding[] {
  if (!settings.enabled || input.session.state !== 'running') return []
  return input.agents
    .filter((a) => (input.now - a.lastSeenAt) / 1000 > settings.maxSilenceSeconds)
    .map((a) => {
      const seconds = (input.now - a.lastSeenAt) / 1000
      return {
        key: `agents.silent:${a.agentId}`,
        severity: 'critical',
        message:
          `Agent ${a.agentId}${a.host ? ` on ${a.host}` : ''} disconnected: nothing received for ${fmt(seconds)} s ` +
          `(since ${new Date(a.lastSeenAt).toISOString()}; threshold ${fmt(settings.maxSilenceSeconds)} s)`,
        since: a.lastSeenAt,
        value: seconds,
        threshold: settings.maxSilenceSeconds,
      } satisfies Finding
    })
}
