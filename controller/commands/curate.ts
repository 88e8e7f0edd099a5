// `controller curate --name N [--dir D] [--set ctf.maxResolution=5 ...] [--list] [--json]`
import {Command, Flags} from '@oclif/core'
import type {Curation} from '../curation/read.js'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Curate extends Command {
  static override summary = 'Show or change the exposure curation: every micrograph accepted or rejected, with its reasons'
  static override description =
    'Thresholds start as the workflow\'s monitor thresholds; --set changes them for the rest of the session and every ' +
    'micrograph so far is evaluated again. Thresholds: ctf.minDefocus, ctf.maxDefocus, ctf.maxAstigmatism, ctf.maxResolution, ' +
    'motion.maxTotalMotion, motion.maxEarlyMotion, picking.minParticles.'
  static override flags = {
    name: nameFlag,
    dir: dirFlag,
    set: Flags.string({description: 'threshold=value, e.g. ctf.maxResolution=5 (repeatable)', multiple: true, default: []}),
    list: Flags.boolean({description: 'one line per micrograph', default: false}),
    json: Flags.boolean({description: 'the thresholds, summary and every decision as one JSON object', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Curate)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {controlRequest} = await import('../server/control-client.js')
    const dir = projectsDir(flags.dir)
    const curation = await userErrors(this, async () => {
      const live = await controlRequest<Curation>(dir, flags.name, 'curate', {settings: flags.set})
      if (live) return live
      const {Project} = await import('../project/project.js')
      const {applyCuration} = await import('../curation/apply.js')
      // Reading only needs no lock (a controller may be starting); a change needs the project.
      const project = await Project.open(projectLayout(dir, flags.name), {readOnly: flags.set.length === 0})
      try {
        return applyCuration(project, flags.set)
      } finally {
        await project.close()
      }
    })
    this.log(flags.json ? JSON.stringify({thresholds: curation.thresholds, summary: curation.summary, decisions: curation.decisions}) : describe(curation, flags.list))
  }
}

function describe(c: Curation, list: boolean): string {
  const t = c.thresholds
  const lines = [
    `thresholds: ctf.minDefocus=${t.ctf.minDefocus} ctf.maxDefocus=${t.ctf.maxDefocus} ctf.maxAstigmatism=${t.ctf.maxAstigmatism} ` +
      `ctf.maxResolution=${t.ctf.maxResolution} motion.maxTotalMotion=${t.motion.maxTotalMotion} motion.maxEarlyMotion=${t.motion.maxEarlyMotion} ` +
      `picking.minParticles=${t.picking.minParticles}`,
    `${c.summary.accepted} accepted, ${c.summary.rejected} rejected`,
    ...c.summary.reasons.map((r) => `  ${String(r.count).padStart(6)} ${r.rule}`),
    ...(list ? c.decisions.map((d) => `${d.accepted ? 'accepted' : 'rejected'} ${d.movie}${d.reasons.length ? `: ${d.reasons.map((r) => r.message).join('; ')}` : ''}`) : []),
  ]
  return lines.join('\n')
}
