// Exposure curation thresholds: start from the workflow's monitor thresholds, changed during the
// session with `controller curate --set ctf.maxResolution=5`, stored in the project (journal).
import type {Database} from 'sql.js'
import type {Workflow} from '../../core/workflow/index.js'
import {metaValue} from '../project/queries.js'

export interface CurationThresholds {
  ctf: {minDefocus: number; maxDefocus: number; maxAstigmatism: number; maxResolution: number}
  motion: {maxTotalMotion: number; maxEarlyMotion: number}
  picking: {minParticles: number}
}

/** A `--set` the curation cannot take; names the setting and the problem. */
export class CurationError extends Error {
  override readonly name = 'CurationError'
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`)
  }
}

export function workflowThresholds(workflow: Workflow): CurationThresholds {
  const {ctf, motion, picking} = workflow.monitors
  return {
    ctf: {minDefocus: ctf.minDefocus, maxDefocus: ctf.maxDefocus, maxAstigmatism: ctf.maxAstigmatism, maxResolution: ctf.maxResolution},
    motion: {maxTotalMotion: motion.maxTotalMotion, maxEarlyMotion: motion.maxEarlyMotion},
    picking: {minParticles: picking.minParticles},
  }
}

/** The thresholds in force: the stored ones (after a `curate --set`), else the workflow's. */
export function currentThresholds(db: Database, workflow: Workflow): CurationThresholds {
  const stored = metaValue(db, 'curation_thresholds')
  return stored === undefined ? workflowThresholds(workflow) : (JSON.parse(stored) as CurationThresholds)
}

/** Applies "group.name=number" settings to a copy; every problem is a CurationError naming the setting. */
export function withSettings(thresholds: CurationThresholds, settings: string[]): CurationThresholds {
  const out = structuredClone(thresholds) as unknown as Record<string, Record<string, number>>
  for (const text of settings) {
    const match = /^\s*([A-Za-z]+)\.([A-Za-z]+)\s*=\s*(.*)$/.exec(text)
    if (!match) throw new CurationError(text, 'a setting looks like ctf.maxResolution=5')
    const [, group, name, raw] = match
    const field = `${group}.${name}`
    if (!(group in out) || !(name in out[group])) throw new CurationError(field, `is not a curation threshold; they are: ${fieldNames(thresholds).join(', ')}`)
    const value = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new CurationError(field, `must be a number >= 0 (got ${JSON.stringify(raw)})`)
    out[group][name] = value
  }
  return out as unknown as CurationThresholds
}

export function fieldNames(thresholds: CurationThresholds): string[] {
  return Object.entries(thresholds).flatMap(([group, values]) => Object.keys(values as object).map((name) => `${group}.${name}`))
}
