// Picking: particles per micrograph, on a rolling window.
import type {MonitorSettings} from '../../core/workflow/index.js'
import type {Finding} from './finding.js'
import type {PickRow} from './input.js'
import {windowFindings} from './window.js'

export function pickingFindings(rows: PickRow[], settings: MonitorSettings['picking']): Finding[] {
  if (!settings.enabled) return []
  const window = rows.slice(0, settings.window).map((r) => ({movie: r.movie, at: r.at, value: r.count}))
  return windowFindings(
    {key: 'picking.particles', what: 'Particles per micrograph', unit: '', bad: 'below', threshold: settings.minParticles},
    window,
  )
}
