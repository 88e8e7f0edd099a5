// Answers -> the chosen template filled and validated, and the command lines that do the same.
import {loadWorkflow, type Workflow} from '../../core/workflow/index.js'
import {WizardError} from './errors.js'
import type {Answers, Question} from './questions.js'

export interface FilledSession {
  name: string
  template: string
  /** key.path=value settings, in question order (only answered ones). */
  settings: string[]
  workflow: Workflow
}

/** The settings the answers make (empty optional answers leave the template's value). */
export function answerSettings(questions: Question[], answers: Answers): string[] {
  return questions
    .filter((q) => q.setting !== undefined && (answers[q.id] ?? '').trim() !== '')
    .map((q) => `${q.setting}=${answers[q.id].trim()}`)
}

/** Fills and validates the template; a WorkflowError names the field that is wrong. */
export async function fillSession(questions: Question[], answers: Answers): Promise<FilledSession> {
  const missing = questions.filter((q) => q.required && (answers[q.id] ?? '').trim() === '').map((q) => q.label)
  if (missing.length > 0) throw new WizardError(`please answer: ${missing.join(', ')}`)
  const template = questions.find((q) => q.id === 'template')
  if (template?.choices && !template.choices.includes(answers.template)) {
    throw new WizardError(`Programs: "${answers.template}" is not one of ${template.choices.join(', ')}`)
  }
  const settings = answerSettings(questions, answers)
  const {workflow} = await loadWorkflow(answers.template, {settings, ask: false})
  return {name: answers.name.trim(), template: answers.template, settings, workflow}
}

/** Shell-style quoting, so the lines can be pasted into a terminal or a script. */
export const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)

/** The controller commands (argv, program first) that create and schedule the same project. */
export function commandArgvs(session: Pick<FilledSession, 'name' | 'template' | 'settings'>, projectsDir: string): string[][] {
  const dir = ['--dir', projectsDir]
  return [
    ['controller', 'create-project', '--name', session.name, '--workflow', session.template, ...dir, ...session.settings.flatMap((s) => ['--set', s])],
    ['controller', 'schedule-project', '--name', session.name, ...dir],
  ]
}

/** The same as lines to paste into a terminal or a script. */
export function commandLines(session: Pick<FilledSession, 'name' | 'template' | 'settings'>, projectsDir: string): string[] {
  return commandArgvs(session, projectsDir).map((argv) => argv.map(shellQuote).join(' '))
}
