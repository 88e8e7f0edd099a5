// `controller export --name N --format relion --out DIR [--accepted-only] [--dir D] [--json]`
import {Command, Flags} from '@oclif/core'
import {dirFlag, nameFlag, userErrors} from './shared.js'

export default class Export extends Command {
  static override summary = 'Write the session\'s micrographs, CTF and coordinates for another program (RELION 3.1 STAR, importable by cryoSPARC)'
  static override description =
    'Reads the project (also while a controller serves it) and writes DIR/corrected_micrographs.star, DIR/micrographs_ctf.star ' +
    'with optics groups, and one coordinate STAR per micrograph under DIR/AutoPick/job003/ with its coords_suffix file. ' +
    'Paths in the STAR files are relative to DIR: run RELION from DIR.'
  static override flags = {
    name: nameFlag,
    dir: dirFlag,
    format: Flags.string({description: 'export format', options: ['relion'], default: 'relion'}),
    out: Flags.string({description: 'folder to write into (created)', required: true}),
    'accepted-only': Flags.boolean({description: 'only the micrographs the curation accepts (see `controller curate`)', default: false}),
    json: Flags.boolean({description: 'print the export summary as JSON', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Export)
    const {projectsDir, projectLayout} = await import('../project/layout.js')
    const {Project} = await import('../project/project.js')
    const {exportRelion} = await import('../export/relion.js')
    const summary = await userErrors(this, async () => {
      const project = await Project.open(projectLayout(projectsDir(flags.dir), flags.name), {readOnly: true})
      try {
        return await exportRelion(project.db, project.workflow().workflow, {outDir: flags.out, acceptedOnly: flags['accepted-only']})
      } catch (error) {
        if ((error as Error).name === 'ExportError') this.error((error as Error).message, {exit: 2})
        throw error
      } finally {
        await project.close()
      }
    })
    if (flags.json) return this.log(JSON.stringify(summary))
    this.log(`Wrote ${summary.micrographs} micrograph(s), ${summary.withCoordinates} with coordinates, to ${summary.outDir}; ${summary.skipped.length} left out.`)
    if (summary.missing.length > 0) this.warn(`${summary.missing.length} source file(s) are not visible on this host, e.g. ${summary.missing[0]}`)
    this.log(`Extract with: cd ${summary.outDir} && relion_preprocess ${summary.extractArgs.join(' ')} --part_star Extract/job004/particles.star --part_dir Extract/job004/ --extract_size BOX`)
  }
}
