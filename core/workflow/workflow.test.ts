import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  applySettings,
  checkWorkflow,
  listTemplates,
  loadWorkflow,
  validateWorkflow,
  WorkflowError,
  workflowJsonSchemaText,
  workflowsDir,
  type WorkflowIssue,
} from './index.js'

const FILLED = [
  'acquisition.inputFolder=/data/movies',
  'acquisition.pixelSize=0.83',
  'acquisition.dosePerFrame=1.1',
  'acquisition.gainReference=/data/gain.mrc',
  'picking.diameterMin=120',
  'picking.diameterMax=180',
]

const minimal = () => ({
  acquisition: {inputFolder: '/data', pixelSize: 1.06, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
  picking: {diameterMin: 100, diameterMax: 150},
})

function issuesOf(document: unknown): WorkflowIssue[] {
  const result = checkWorkflow(document)
  if (result.ok) throw new Error('expected the workflow to be refused')
  return result.issues
}

describe('workflow validation', () => {
  it('fills defaults into a minimal workflow', () => {
    const w = validateWorkflow(minimal())
    expect(w.motion.program).toBe('builtin')
    expect(w.ctf.defocusMax).toBe(50000)
    expect(w.acquisition.amplitudeContrast).toBe(0.1)
    expect(w.monitors.ctf.maxAstigmatism).toBe(2000)
    expect(w.session.idleTimeoutHours).toBe(12)
  })

  it('names the field and the reason of each problem', () => {
    const doc = minimal() as Record<string, any>
    doc.acquisition.pixelSize = 'big'
    delete doc.acquisition.voltage
    doc.motion = {program: 'unblur', binnig: 2}
    doc.acquisition.filePatterns = ['']
    const issues = issuesOf(doc)
    expect(issues).toContainEqual({field: 'acquisition.pixelSize', problem: 'must be a number'})
    expect(issues).toContainEqual({field: 'acquisition.voltage', problem: 'required value is missing'})
    expect(issues).toContainEqual({field: 'motion.program', problem: 'must be one of "builtin", "relion", "motioncor2", "motioncor3"'})
    expect(issues).toContainEqual({field: 'motion.binnig', problem: 'is not a workflow setting (check the spelling)'})
    expect(issues).toContainEqual({field: 'acquisition.filePatterns[0]', problem: 'must not be empty'})
  })

  it('checks ranges whose ends are two fields', () => {
    const doc = minimal() as Record<string, any>
    doc.ctf = {defocusMin: 30000, defocusMax: 20000}
    doc.picking.diameterMax = 50
    const issues = issuesOf(doc)
    expect(issues.map((i) => i.field).sort()).toEqual(['ctf.defocusMax', 'picking.diameterMax'])
    expect(issues.find((i) => i.field === 'ctf.defocusMax')!.problem).toMatch(/> ctf.defocusMin \(30000\)/)
  })

  it('takes the external programs, their GPUs, timeouts, retries and GPU sharing', () => {
    const doc = minimal() as Record<string, any>
    doc.motion = {program: 'motioncor3', gpus: [0, 1], retries: 2, retryBackoffSeconds: 5}
    doc.ctf = {program: 'gctf', gpus: [1], timeoutSeconds: 600}
    doc.picking = {...doc.picking, program: 'cryolo', gpus: [0], cryolo: {config: '/m/config.json', weights: '/m/gmodel.h5', threshold: 0.2}}
    doc.resources = {allowGpuSharing: true}
    const w = validateWorkflow(doc)
    expect(w.ctf).toMatchObject({program: 'gctf', gpus: [1], timeoutSeconds: 600, retryBackoffSeconds: 0})
    expect(w.ctf.retries).toBeUndefined()
    expect(w.motion).toMatchObject({retries: 2, retryBackoffSeconds: 5, timeoutSeconds: 1800})
    expect(w.picking.cryolo).toEqual({config: '/m/config.json', weights: '/m/gmodel.h5', threshold: 0.2})
    expect(w.resources).toEqual({allowGpuSharing: true, jobsPerGpu: 2})
    expect(validateWorkflow(minimal()).resources.allowGpuSharing).toBe(false)
  })

  it('names the field of a bad external-program setting', () => {
    const doc = minimal() as Record<string, any>
    doc.ctf = {program: 'ctffind4', timeoutSeconds: 0, retries: -1}
    doc.picking.cryolo = {threshold: 2}
    doc.resources = {allowGpuSharing: 'yes'}
    const issues = issuesOf(doc)
    expect(issues).toContainEqual({field: 'ctf.program', problem: 'must be one of "builtin", "ctffind", "gctf", "relion-ctffind"'})
    expect(issues).toContainEqual({field: 'ctf.timeoutSeconds', problem: 'must be a number > 0'})
    expect(issues).toContainEqual({field: 'ctf.retries', problem: 'must be a number >= 0'})
    expect(issues).toContainEqual({field: 'picking.cryolo.threshold', problem: 'must be a number <= 1'})
    expect(issues).toContainEqual({field: 'resources.allowGpuSharing', problem: 'must be a boolean'})
  })

  it('requires what the chosen program needs: GPUs for gctf and motioncor3, crYOLO model files', () => {
    const doc = minimal() as Record<string, any>
    doc.motion = {program: 'motioncor3'}
    doc.ctf = {program: 'gctf'}
    doc.picking = {...doc.picking, program: 'cryolo', cryolo: {config: '/m/config.json'}}
    expect(issuesOf(doc)).toEqual([
      {field: 'motion.gpus', problem: 'must list at least one GPU id for motioncor3'},
      {field: 'ctf.gpus', problem: 'must list at least one GPU id for gctf'},
      {field: 'picking.cryolo.weights', problem: 'required value is missing for program "cryolo"'},
    ])
  })

  it('puts every field and reason into the thrown message', () => {
    const doc = minimal() as Record<string, any>
    doc.ctf = {defocusMax: -1}
    expect(() => validateWorkflow(doc, 'w.json')).toThrow(/invalid workflow w\.json:\n {2}field `ctf\.defocusMax`: must be a number > 0/)
  })

  it('ships a schema file generated from the TypeBox definitions', () => {
    expect(readFileSync(join(workflowsDir(), 'workflow.schema.json'), 'utf8')).toBe(workflowJsonSchemaText())
  })
})

describe('--set', () => {
  it('types values by the schema', () => {
    const doc = applySettings({}, ['motion.binning=2', 'motion.doseWeighting=no', 'motion.gpus=0,1', 'acquisition.filePatterns=*.eer', 'report.title=a=b'])
    expect(doc).toEqual({
      motion: {binning: 2, doseWeighting: false, gpus: [0, 1]},
      acquisition: {filePatterns: ['*.eer']},
      report: {title: 'a=b'},
    })
  })

  it('refuses unknown settings and mistyped values, naming each', () => {
    try {
      applySettings({}, ['ctf.defocusMaxx=1', 'ctf.defocusMax=far', 'motion.gpus=0,x'])
      expect.unreachable()
    } catch (error) {
      expect((error as WorkflowError).issues).toEqual([
        {field: 'ctf.defocusMaxx', problem: 'is not a workflow setting (check the spelling)'},
        {field: 'ctf.defocusMax', problem: 'must be a number (got "far")'},
        {field: 'motion.gpus[1]', problem: 'must be a number (got "x")'},
      ])
    }
  })
})

describe('templates', () => {
  it('ships the three templates and each validates once its placeholders are set', async () => {
    expect(listTemplates()).toEqual(expect.arrayContaining(['spa-builtin', 'spa-relion-cpu', 'spa-motioncor2-ctffind-gpu']))
    for (const name of listTemplates()) {
      const {workflow} = await loadWorkflow(name, {settings: FILLED, ask: false})
      expect(workflow.acquisition.pixelSize).toBe(0.83)
      expect(workflow.picking.diameterMax).toBe(180)
    }
    expect((await loadWorkflow('spa-motioncor2-ctffind-gpu', {settings: FILLED, ask: false})).workflow.motion.program).toBe('motioncor2')
  })

  it('reports the placeholders still missing without a terminal', async () => {
    const error = await loadWorkflow('spa-builtin', {settings: ['acquisition.pixelSize=1'], ask: false}).catch((e) => e)
    expect(error).toBeInstanceOf(WorkflowError)
    expect((error as WorkflowError).issues.map((i) => i.field)).toEqual([
      'acquisition.inputFolder',
      'acquisition.dosePerFrame',
      'picking.diameterMin',
      'picking.diameterMax',
    ])
    expect(error.message).toMatch(/pass --set acquisition.inputFolder=VALUE/)
  })

  it('asks for missing values, again when an answer has the wrong type', async () => {
    const answers = ['/in', 'lots', '0.9', '100', '200']
    const questions: string[] = []
    const {workflow} = await loadWorkflow('spa-builtin', {
      settings: ['acquisition.pixelSize=1'],
      ask: async (q) => {
        questions.push(q)
        return answers.shift()!
      },
    })
    expect(workflow.acquisition.dosePerFrame).toBe(0.9)
    expect(questions.filter((q) => q.startsWith('acquisition.dosePerFrame'))).toHaveLength(2)
  })

  it('loads a workflow file by path and names it in errors', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wf-')), 'mine.json')
    writeFileSync(file, '{"acquisition": ')
    await expect(loadWorkflow(file, {ask: false})).rejects.toThrow(/mine\.json.*\n.*is not valid JSON/)
  })
})
