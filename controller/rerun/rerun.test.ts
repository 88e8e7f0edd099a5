import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {decodeControllerMessage, encodeMessage} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {minimalWorkflow} from '../../core/workflow/test-support.js'
import {createProject} from '../project/create.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {rerunMessage} from './message.js'
import {planRerun} from './plan.js'

const workflow = minimalWorkflow()

async function streamedProject() {
  const projectsDir = mkdtempSync(join(tmpdir(), 'rerun-'))
  await createProject({projectsDir, name: 'apo', workflow})
  const layout = projectLayout(projectsDir, 'apo')
  const project = await Project.open(layout)
  project.schedule()
  const events = ['a.tiff', 'b.tiff'].flatMap((m) => sampleMovieEvents(m))
  for (const message of asEventMessages('agent-1', events)) project.ingest(message)
  return {layout, project}
}

describe('rerun requests', () => {
  it('makes a new workflow revision that the session uses, kept across a reopen from the journal', async () => {
    const {layout, project} = await streamedProject()
    expect(() => planRerun(project, {step: 'preview', settings: [], selection: {kind: 'all'}})).toThrow(/step preview is not enabled/)
    expect(() => planRerun(project, {step: 'ctf', settings: [], selection: {kind: 'list', movies: ['c.tiff']}})).toThrow(/unknown movie\(s\) c\.tiff/)
    expect(() => planRerun(project, {step: 'ctf', settings: ['ctf.defocusMax=10'], selection: {kind: 'all'}})).toThrow(/ctf\.defocusMax/)
    const seen: number[] = []
    project.onRerun((r) => seen.push(r.id))
    const request = planRerun(project, {step: 'ctf', settings: ['ctf.defocusMax=40000'], selection: {kind: 'list', movies: ['b.tiff']}})
    expect(request).toMatchObject({id: 1, revision: 2, steps: ['ctf', 'picking'], movies: ['b.tiff']})
    project.rerun(request)
    expect(seen).toEqual([1])
    expect(project.workflow()).toMatchObject({revision: 2, workflow: {ctf: {defocusMax: 40000}}})
    expect(planRerun(project, {step: 'picking', settings: [], selection: {kind: 'all'}})).toMatchObject({id: 2, revision: 3, steps: ['picking'], movies: ['a.tiff', 'b.tiff']})
    await project.durable()
    await project.close()

    const reopened = await Project.open(layout, {readOnly: true})
    try {
      expect(reopened.workflow().revision).toBe(2)
      expect(reopened.reruns()).toEqual([request])
    } finally {
      await reopened.close()
    }
  })

  it('travels as a rerun message the agent decodes', async () => {
    const {project} = await streamedProject()
    const request = planRerun(project, {step: 'motion', settings: [], selection: {kind: 'all'}})
    await project.close()
    const message = rerunMessage(request)
    expect(decodeControllerMessage(encodeMessage(message))).toEqual({ok: true, message})
    expect(decodeControllerMessage(encodeMessage({...message, steps: []}))).toMatchObject({ok: false})
  })
})
