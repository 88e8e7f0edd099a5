// The first thing every adapter does: find the executable (a clear error when it is missing)
// and learn its version for the provenance.
import {ExternalProgramError} from './errors.js'
import {locateProgram} from './executable.js'
import {EXTERNAL_PROGRAMS, type ExternalProgramId} from './programs.js'
import {programVersion} from './version.js'

export interface PreparedProgram {
  id: ExternalProgramId
  executable: string
  version: string
}

export async function prepareProgram(id: ExternalProgramId, configured?: string): Promise<PreparedProgram> {
  const info = EXTERNAL_PROGRAMS[id]
  const found = locateProgram(info, configured)
  if (!found) {
    const where = configured ? `"${configured}" (the workflow's executable)` : `${info.commands.join(' / ')} on PATH or $${info.envVars.join(' / $')}`
    throw new ExternalProgramError(id, 'not-found', `cannot find the executable: looked for ${where}; run \`agent doctor\``)
  }
  return {id, executable: found.path, version: await programVersion(info, found.path)}
}
