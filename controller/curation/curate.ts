// Exposure curation: every processed micrograph accepted or rejected, with the reasons. A pure
// function of the micrograph's results and the thresholds, so changing the thresholds re-evaluates
// every micrograph so far, and nothing needs to be stored but the thresholds.
import type {CurationThresholds} from './thresholds.js'

export interface Exposure {
  movie: string
  /** 'done', or 'failed' with the step and error. */
  state: 'done' | 'failed'
  failedStep: string | null
  error: string | null
  motion?: {totalMotion: number; earlyMotion: number}
  ctf?: {defocusU: number; defocusV: number; astigmatism: number; resolution: number}
  particles?: {count: number}
}

export interface CurationReason {
  /** The threshold that rejected it ("ctf.maxResolution", ...), or "failed" / "noCtf". */
  rule: string
  message: string
}

export interface CurationDecision {
  movie: string
  accepted: boolean
  /** Why it was rejected (empty when accepted). */
  reasons: CurationReason[]
}

export function curateExposure(e: Exposure, t: CurationThresholds): CurationDecision {
  const reasons: CurationReason[] = []
  const reject = (rule: string, message: string) => reasons.push({rule, message})
  if (e.state === 'failed') reject('failed', `processing failed in ${e.failedStep ?? 'a step'}: ${e.error ?? 'unknown error'}`)
  if (e.motion) {
    if (e.motion.totalMotion > t.motion.maxTotalMotion) reject('motion.maxTotalMotion', `total motion ${round(e.motion.totalMotion)} px > motion.maxTotalMotion ${t.motion.maxTotalMotion}`)
    if (e.motion.earlyMotion > t.motion.maxEarlyMotion) reject('motion.maxEarlyMotion', `early motion ${round(e.motion.earlyMotion)} px > motion.maxEarlyMotion ${t.motion.maxEarlyMotion}`)
  }
  if (e.ctf) {
    const c = e.ctf
    if (c.resolution > t.ctf.maxResolution) reject('ctf.maxResolution', `CTF fit resolution ${round(c.resolution)} A > ctf.maxResolution ${t.ctf.maxResolution}`)
    if (c.astigmatism > t.ctf.maxAstigmatism) reject('ctf.maxAstigmatism', `astigmatism ${round(c.astigmatism)} A > ctf.maxAstigmatism ${t.ctf.maxAstigmatism}`)
    if (c.defocusU > t.ctf.maxDefocus) reject('ctf.maxDefocus', `defocus U ${round(c.defocusU)} A > ctf.maxDefocus ${t.ctf.maxDefocus}`)
    if (c.defocusV < t.ctf.minDefocus) reject('ctf.minDefocus', `defocus V ${round(c.defocusV)} A < ctf.minDefocus ${t.ctf.minDefocus}`)
  } else if (e.state === 'done') {
    reject('noCtf', 'no CTF estimate')
  }
  if (e.particles && e.particles.count < t.picking.minParticles) reject('picking.minParticles', `${e.particles.count} particles < picking.minParticles ${t.picking.minParticles}`)
  return {movie: e.movie, accepted: reasons.length === 0, reasons}
}

export interface CurationSummary {
  thresholds: CurationThresholds
  accepted: number
  rejected: number
  /** Rejections per rule, most frequent first. */
  reasons: {rule: string; count: number}[]
}

export function summarise(thresholds: CurationThresholds, decisions: CurationDecision[]): CurationSummary {
  const counts = new Map<string, number>()
  for (const d of decisions) {
    for (const {rule} of d.reasons) counts.set(rule, (counts.get(rule) ?? 0) + 1)
  }
  const accepted = decisions.filter((d) => d.accepted).length
  return {
    thresholds,
    accepted,
    rejected: decisions.length - accepted,
    reasons: [...counts.entries()].map(([rule, count]) => ({rule, count})).sort((a, b) => b.count - a.count),
  }
}

const round = (v: number) => Number(v.toFixed(2))
