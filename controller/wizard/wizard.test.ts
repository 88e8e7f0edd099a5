import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {PassThrough} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {Command} from '@oclif/core'
import {describe, expect, it, vi} from 'vitest'
import CreateProject from '../commands/create-project.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {commandArgvs, fillSession} from './fill.js'
import {rememberedAnswers} from './memory.js'
import {wizardQuestions} from './questions.js'
import {createAndSchedule} from './submit.js'
import {askInTerminal} from './tty.js'

const questions = wizardQuestions(['spa-builtin', 'spa-relion-cpu'])
const answers = {
  microscope: 'krios-2',
  name: 'apo-1',
  inputFolder: '/data/apo 1',
  filePattern: '*.tiff,*.eer',
  pixelSize: '0.83',
  dosePerFrame: '1.1',
  voltage: '200',
  gainReference: '',
  template: 'spa-relion-cpu',
  diameterMin: '100',
  diameterMax: '140',
  publishTarget: 'web:/srv/reports/apo-1',
}

async function stateOf(projectsDir: string, name: string) {
  const project = await Project.open(projectLayout(projectsDir, name), {readOnly: true})
  try {
    return {state: project.status().state, workflow: project.workflow().workflow}
  } finally {
    await project.close()
  }
}

describe('wizard', () => {
  it('fills the chosen template from the answers and names a wrong or missing answer', async () => {
    const session = await fillSession(questions, answers)
    expect(session.workflow.acquisition).toMatchObject({inputFolder: '/data/apo 1', filePatterns: ['*.tiff', '*.eer'], pixelSize: 0.83, voltage: 200, dosePerFrame: 1.1})
    expect(session.workflow.acquisition.gainReference).toBeUndefined()
    expect(session.workflow.motion.program).toBe('relion')
    expect(session.workflow.report.publishTarget).toBe('web:/srv/reports/apo-1')
    await expect(fillSession(questions, {...answers, diameterMin: '200'})).rejects.toThrow(/picking\.diameterMax/)
    await expect(fillSession(questions, {...answers, pixelSize: ' '})).rejects.toThrow(/please answer: Pixel size/)
    await expect(fillSession(questions, {...answers, template: 'spa-motioncor2-ctffind-gpu'})).rejects.toThrow(/Programs: .* is not one of spa-builtin, spa-relion-cpu/)
  })

  it('the command lines it shows create the same project', async () => {
    const session = await fillSession(questions, answers)
    const projectsDir = mkdtempSync(join(tmpdir(), 'wizard-'))
    const [create] = commandArgvs(session, projectsDir)
    const spy = vi.spyOn(Command.prototype, 'log').mockImplementation(() => {})
    try {
      await CreateProject.run(create.slice(2), dirname(dirname(fileURLToPath(import.meta.url))))
    } finally {
      spy.mockRestore()
    }
    expect((await stateOf(projectsDir, 'apo-1')).workflow).toEqual(session.workflow)
  })

  it('creates and schedules in one go, and offers the microscope\'s last values again in the terminal', async () => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'wizard-'))
    const first = await createAndSchedule(projectsDir, questions, answers)
    expect(first).toMatchObject({state: 'scheduled', served: false, project: {name: 'apo-1'}})
    expect(first.commands[0]).toContain("--set 'acquisition.inputFolder=/data/apo 1'")
    expect(rememberedAnswers(projectsDir, 'krios-2')).toMatchObject({pixelSize: '0.83', template: 'spa-relion-cpu'})
    expect(rememberedAnswers(projectsDir, 'krios-2').name).toBeUndefined()
    expect(rememberedAnswers(projectsDir, 'other')).toEqual({})

    // Second session on krios-2: Enter everywhere but the name and the data folder.
    const input = new PassThrough()
    const output = new PassThrough()
    output.resume()
    const typed = ['krios-2', 'apo-2', '/data/apo2', '', '', '', '', '', '', '', '', '']
    input.end(typed.join('\n') + '\n')
    const second = await askInTerminal(questions, projectsDir, {input, output})
    expect(second).toMatchObject({name: 'apo-2', inputFolder: '/data/apo2', pixelSize: '0.83', voltage: '200', template: 'spa-relion-cpu', diameterMax: '140'})
    await createAndSchedule(projectsDir, questions, second)
    const {state, workflow} = await stateOf(projectsDir, 'apo-2')
    expect(state).toBe('scheduled')
    expect(workflow.acquisition).toMatchObject({inputFolder: '/data/apo2', pixelSize: 0.83, voltage: 200})
  })
})
