// CTF quality: fit resolution, astigmatism and defocus range, each on a rolling window.
import type {MonitorSettings} from '../../core/workflow/index.js'
import type {Finding} from './finding.js'
import type {CtfRow} from './input.js'
import {windowFindings} from './window.js'

export function ctfFindings(rows: CtfRow[], settings: MonitorSettings['ctf']): Finding[] {
  if (!settings.enabled) return []
  const window = rows.slice(0, settings.window)
  const measure = (value: (r: CtfRow) => number) => window.map((r) => ({movie: r.movie, at: r.at, value: value(r)}))
  return [
    ...windowFindings(
      {key: 'ctf.resolution', what: 'CTF fit resolution', unit: 'A', bad: 'above', threshold: settings.maxResolution},
      measure((r) => r.resolution),
    ),
    ...windowFindings(
      {key: 'ctf.astigmatism', what: 'Astigmatism (defocus U - V)', unit: 'A', bad: 'above', threshold: settings.maxAstigmatism},
      measure((r) => r.astigmatism),
    ),
    ...windowFindings(
      {key: 'ctf.defocusMax', what: 'Defocus U', unit: 'A', bad: 'above', threshold: settings.maxDefocus},
      measure((r) => r.defocusU),
    ),
    ...windowFindings(
      {key: 'ctf.defocusMin', what: 'Defocus V', unit: 'A', bad: 'below', threshold: settings.minDefocus},
      measure((r) => r.defocusV),
    ),
  ]
}
