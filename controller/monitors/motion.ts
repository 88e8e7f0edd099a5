// Drift: RELION's accumulated total and early motion, on a rolling window.
import type {MonitorSettings} from '../../core/workflow/index.js'
import type {Finding} from './finding.js'
import type {MotionRow} from './input.js'
import {windowFindings} from './window.js'

export function motionFindings(rows: MotionRow[], settings: MonitorSettings['motion']): Finding[] {
  if (!settings.enabled) return []
  const window = rows.slice(0, settings.window)
  const measure = (value: (r: MotionRow) => number) => window.map((r) => ({movie: r.movie, at: r.at, value: value(r)}))
  return [
    ...windowFindings(
      {key: 'motion.total', what: 'Total motion', unit: 'px', bad: 'above', threshold: settings.maxTotalMotion},
      measure((r) => r.totalMotion),
    ),
    ...windowFindings(
      {key: 'motion.early', what: 'Early motion', unit: 'px', bad: 'above', threshold: settings.maxEarlyMotion},
      measure((r) => r.earlyMotion),
    ),
  ]
}
