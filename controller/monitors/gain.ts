// Gain: Scipion's residual-gain statistics per movie on a rolling window, and the motion step's
// check that the gain reference is oriented right (a wrong rotation/flip spoils every movie).
import type {MonitorSettings} from '../../core/workflow/index.js'
import {listNames, type Finding} from './finding.js'
import type {GainResidual, MotionRow} from './input.js'
import {windowFindings} from './window.js'

/** The motion step's warning text for a gain reference that matches the movie better in another orientation. */
export const GAIN_ORIENTATION_WARNING = /gain reference .* looks wrongly oriented/

export function gainFindings(rows: MotionRow[], settings: MonitorSettings['gain']): Finding[] {
  if (!settings.enabled) return []
  const window = rows.slice(0, settings.window)
  return [...residualFindings(window, settings), ...(settings.checkOrientation ? orientationFindings(window) : [])]
}

function residualFindings(window: MotionRow[], settings: MonitorSettings['gain']): Finding[] {
  const measured = window.filter((r): r is MotionRow & {gainResidual: GainResidual} => r.gainResidual !== undefined)
  const measure = (value: (g: GainResidual) => number) => measured.map((r) => ({movie: r.movie, at: r.at, value: value(r.gainResidual)}))
  return [
    ...windowFindings({key: 'gain.std', what: 'Residual gain std', unit: '', bad: 'above', threshold: settings.maxStd}, measure((g) => g.std)),
    ...windowFindings(
      {key: 'gain.percentileRatio', what: 'Residual gain p97.5/p2.5', unit: '', bad: 'above', threshold: settings.maxPercentileRatio},
      measure((g) => g.percentileRatio),
    ),
    ...windowFindings(
      {key: 'gain.peakRatio', what: 'Residual gain max/p97.5', unit: '', bad: 'above', threshold: settings.maxPeakRatio},
      measure((g) => g.peakRatio),
    ),
  ]
}

/** Critical once most recent movies say so; a few odd ones (a nearly empty frame, ice) are only counted. */
function orientationFindings(window: MotionRow[]): Finding[] {
  const flagged = window.filter((r) => r.warnings.some((w) => GAIN_ORIENTATION_WARNING.test(w)))
  if (flagged.length === 0) return []
  const movies = flagged.map((r) => r.movie)
  const since = Math.min(...flagged.map((r) => r.at))
  const warning = flagged[0].warnings.find((w) => GAIN_ORIENTATION_WARNING.test(w))!
  const most = flagged.length * 2 > window.length
  return [
    {
      key: most ? 'gain.orientation' : 'gain.orientation.outliers',
      severity: most ? 'critical' : 'info',
      message: `${flagged.length} of the last ${window.length} movies since ${new Date(since).toISOString()} (${listNames(movies)}): ${warning}`,
      movies,
      since,
      value: flagged.length,
    },
  ]
}
