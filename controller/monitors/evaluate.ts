// All monitors over one reading of the project.
import type {MonitorSettings} from '../../core/workflow/index.js'
import {acquisitionFindings} from './acquisition.js'
import {agentFindings} from './agents.js'
import {ctfFindings} from './ctf.js'
import type {Finding} from './finding.js'
import {gainFindings} from './gain.js'
import type {MonitorInput} from './input.js'
import {motionFindings} from './motion.js'
import {pickingFindings} from './picking.js'
import {systemFindings} from './system.js'

export function evaluateMonitors(input: MonitorInput, settings: MonitorSettings): Finding[] {
  return [
    ...ctfFindings(input.ctf, settings.ctf),
    ...motionFindings(input.motion, settings.motion),
    ...pickingFindings(input.picks, settings.picking),
    ...gainFindings(input.motion, settings.gain),
    ...acquisitionFindings(input, settings.acquisition),
    ...systemFindings(input.samples, settings.system, input.now),
    ...agentFindings(input, settings.agents),
  ]
}

/** How many rows of each kind the monitors look at: the largest window in use. */
export function rowsNeeded(settings: MonitorSettings): number {
  return Math.max(settings.ctf.window, settings.motion.window, settings.picking.window, settings.gain.window, settings.acquisition.window)
}
