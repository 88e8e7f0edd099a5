// Creates and schedules the project in one go: through the serving controller when there is
// one, else recorded in the project (agents get the workflow once a controller serves it).
import {createProject, type CreatedProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {controlRequest} from '../server/control-client.js'
import {commandLines, fillSession} from './fill.js'
import {rememberAnswers} from './memory.js'
import type {Answers, Question} from './questions.js'

export interface WizardResult {
  project: CreatedProject
  state: string
  /** Whether a serving controller scheduled it (agents get the workflow now). */
  served: boolean
  commands: string[]
}

export async function createAndSchedule(projectsDir: string, questions: Question[], answers: Answers): Promise<WizardResult> {
  const session = await fillSession(questions, answers)
  const project = await createProject({projectsDir, name: session.name, workflow: session.workflow})
  rememberAnswers(projectsDir, (answers.microscope ?? '').trim() || 'default', answers)
  const live = await controlRequest(projectsDir, session.name, 'schedule')
  let state = live?.state
  if (!state) {
    const opened = await Project.open(projectLayout(projectsDir, session.name))
    try {
      opened.schedule()
      state = opened.sessionInfo().state
    } finally {
      await opened.close()
    }
  }
  return {project, state, served: live !== undefined, commands: commandLines(session, projectsDir)}
}
