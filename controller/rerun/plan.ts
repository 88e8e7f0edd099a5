// Turns `controller rerun` input into a rerun request: the workflow with the new settings
// (validated), the step and its downstream steps, and the movies concerned.
import {applySettings, STEP_NAMES, validateWorkflow, type StepName} from '../../core/workflow/index.js'
import {curateProject} from '../curation/read.js'
import {ProjectError} from '../project/errors.js'
import type {Project} from '../project/project.js'
import {rows} from '../project/queries.js'
import type {RerunRequest} from '../project/records.js'
import {requiredSteps} from '../project/steps.js'

export type RerunSelection = {kind: 'all'} | {kind: 'rejected'} | {kind: 'list'; movies: string[]}

export interface RerunInput {
  step: string
  /** key.path=value workflow settings for the new revision. */
  settings: string[]
  selection: RerunSelection
}

export function planRerun(project: Project, input: RerunInput): RerunRequest {
  const current = project.workflow()
  const workflow = validateWorkflow(applySettings(current.workflow as unknown as Record<string, unknown>, input.settings), 'rerun --set')
  const enabled = requiredSteps(workflow)
  const step = input.step as StepName
  if (!STEP_NAMES.includes(step)) throw new ProjectError(project.name, `rerun: no step "${input.step}" (steps: ${STEP_NAMES.join(', ')})`)
  if (!enabled.includes(step)) throw new ProjectError(project.name, `rerun: step ${step} is not enabled in the workflow`)
  const movies = selectMovies(project, input.selection)
  if (movies.length === 0) throw new ProjectError(project.name, 'rerun: no movies selected')
  return {
    id: nextNumber(project, 'SELECT max(id) AS n FROM reruns', project.reruns().length > 0),
    revision: nextNumber(project, 'SELECT max(revision) AS n FROM workflows', true),
    workflow,
    steps: enabled.slice(enabled.indexOf(step)),
    settings: input.settings,
    movies,
  }
}

function nextNumber(project: Project, sql: string, tableExists: boolean): number {
  return tableExists ? Number(rows(project.db, sql)[0].n) + 1 : 1
}

function selectMovies(project: Project, selection: RerunSelection): string[] {
  const known = rows(project.db, 'SELECT movie FROM movies ORDER BY id').map((r) => String(r.movie))
  switch (selection.kind) {
    case 'all':
      return known
    case 'rejected': {
      const curation = curateProject(project.db, project.workflow().workflow)
      return curation.decisions.filter((d) => !d.accepted).map((d) => d.movie)
    }
    case 'list': {
      const set = new Set(known)
      const unknown = selection.movies.filter((m) => !set.has(m))
      if (unknown.length > 0) throw new ProjectError(project.name, `rerun: unknown movie(s) ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ' ...' : ''}`)
      return [...new Set(selection.movies)]
    }
  }
}
