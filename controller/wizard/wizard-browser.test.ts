// The wizard page in a real browser (Debian's chromium through playwright-core): fill the form,
// submit, see the project created and scheduled with its command lines; a bad answer is named;
// choosing a microscope fills in its last values.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type Browser, type Page} from 'playwright-core'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {projectLayout} from '../project/layout.js'
import {Project} from '../project/project.js'
import {wizardQuestions} from './questions.js'
import {startWizardServer, type WizardServer} from './server.js'

describeWithTools({commands: ['chromium']}, 'wizard page in a browser', () => {
  let browser: Browser
  let server: WizardServer
  const projectsDir = mkdtempSync(join(tmpdir(), 'wizard-browser-'))

  beforeAll(async () => {
    server = await startWizardServer({projectsDir, questions: wizardQuestions(['spa-builtin', 'spa-relion-cpu'])})
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true, // with a fresh, empty user-data-dir of Playwright's own
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  async function open(): Promise<{page: Page; problems: string[]}> {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
    await page.goto(server.url)
    return {page, problems}
  }

  async function fill(page: Page, values: Record<string, string>): Promise<void> {
    for (const [id, value] of Object.entries(values)) {
      const locator = page.locator(`#q-${id}`)
      if ((await locator.evaluate((el) => el.tagName)) === 'SELECT') await locator.selectOption(value)
      else await locator.fill(value)
    }
  }

  it('creates and schedules the project from the form and shows the command lines; a bad answer is named', async () => {
    const {page, problems} = await open()
    await fill(page, {
      microscope: 'glacios', name: 'apo-web', inputFolder: '/data/apo', pixelSize: '1.1', dosePerFrame: '1.2',
      template: 'spa-relion-cpu', diameterMin: '150', diameterMax: '120',
    })
    await page.click('button[type=submit]')
    await expect.poll(() => page.locator('#result.error').textContent()).toMatch(/picking\.diameterMax/)

    await fill(page, {diameterMax: '180'})
    await page.click('button[type=submit]')
    await page.locator('#commands').waitFor()
    expect(await page.locator('#created').textContent()).toMatch(/Project apo-web created in .*: scheduled/)
    const commands = (await page.locator('#commands').textContent())!.split('\n')
    expect(commands[0]).toMatch(/^controller create-project --name apo-web --workflow spa-relion-cpu .*--set acquisition\.pixelSize=1\.1/)
    expect(commands[1]).toBe(`controller schedule-project --name apo-web --dir ${projectsDir}`)
    const project = await Project.open(projectLayout(projectsDir, 'apo-web'), {readOnly: true})
    try {
      expect(project.status().state).toBe('scheduled')
      expect(project.workflow().workflow.picking).toMatchObject({program: 'relion-log', diameterMin: 150, diameterMax: 180})
    } finally {
      await project.close()
    }
    expect(problems).toEqual([])
    await page.close()
  })

  it('fills in the last values of the microscope chosen', async () => {
    const {page, problems} = await open()
    expect(await page.locator('#q-pixelSize').inputValue()).toBe('') // krios-1: nothing remembered
    await page.locator('#q-microscope').fill('glacios')
    await page.locator('#q-microscope').dispatchEvent('change')
    await expect.poll(() => page.locator('#q-pixelSize').inputValue()).toBe('1.1')
    expect(await page.locator('#q-template').inputValue()).toBe('spa-relion-cpu')
    expect(await page.locator('#q-name').inputValue()).toBe('')
    expect(problems).toEqual([])
    await page.close()
  })
})
