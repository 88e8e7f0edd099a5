// Changing the curation thresholds of an open project: stored through the journal like every
// change, then every finished micrograph is curated again with them.
import {ProjectError} from '../project/errors.js'
import type {Project} from '../project/project.js'
import {curateProject, type Curation} from './read.js'
import {CurationError, currentThresholds, withSettings} from './thresholds.js'

export function applyCuration(project: Project, settings: string[], at = Date.now()): Curation {
  const {workflow} = project.workflow()
  if (settings.length > 0) {
    let thresholds
    try {
      thresholds = withSettings(currentThresholds(project.db, workflow), settings)
    } catch (error) {
      if (error instanceof CurationError) throw new ProjectError(project.name, `curate --set ${error.message}`)
      throw error
    }
    project.setCurationThresholds({...thresholds}, at)
  }
  return curateProject(project.db, workflow)
}
