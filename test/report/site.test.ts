// The built report in a real browser (Debian's chromium through playwright-core), from a local
// HTTP server and from file://. Screenshots of every page go to $REPORT_SCREENSHOTS (default: a
// folder in the system temp folder, printed) for people to look at.
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium, type Browser, type Page} from 'playwright-core'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {buildReport, currentBuild, reportPaths} from '../../controller/report/build.js'
import {exportReport, readSiteData} from '../../controller/report/export.js'
import type {SiteData} from '../../controller/report/export-types.js'
import {serveSiteFile} from '../../controller/report/serve-site.js'
import {describeWithTools} from '../support/system-tools.js'
import {syntheticProject} from './synthetic-project.js'

const XSS = '<img src=x onerror=alert(1)>.mrc'
const MOVIES = 8
const PAGES = ['index.html', 'ctf.html', 'motion.html', 'picking.html', 'system.html', 'micrographs.html', 'micrographs/1.html', 'micrograph/2.html']

describeWithTools({commands: ['chromium']}, 'report site in a browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emstream-report-site-'))
  const shots = process.env.REPORT_SCREENSHOTS ?? join(tmpdir(), 'emstream-report-screenshots')
  const paths = reportPaths(dir)
  let browser: Browser
  let server: Server
  let base: string
  let report: SiteData

  beforeAll(async () => {
    const p = await syntheticProject({movies: MOVIES, dir, failed: [3], rerunCtf: [1], name: (i) => (i === 1 ? XSS : `FoilHole_${1000 + i}_Data.tiff`)})
    await exportReport(p.db, paths.data, {name: 'site-test', workflow: p.workflow})
    report = readSiteData(paths.data)
    p.db.close()
    await buildReport(paths)
    server = createServer((request, response) => void serveSiteFile(paths.site, (request.url ?? '/').slice(1), request, response))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      // Playwright starts it headless with a fresh, empty user-data-dir of its own.
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    mkdirSync(shots, {recursive: true})
    console.log(`report screenshots: ${shots}`)
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    rmSync(dir, {recursive: true, force: true})
  })

  /** Opens a page, failing on any console error, page error or failed request. */
  async function open(url: string): Promise<{page: Page; problems: string[]}> {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}})
    const problems: string[] = []
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    // A request the browser cancels because the page navigates away (a lazy image still loading
    // when a link is clicked) is no fault of the report; any other failure or HTTP error is.
    page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`)))
    page.on('response', (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`)))
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`)
      void d.dismiss()
    })
    await page.goto(url, {waitUntil: 'load'})
    return {page, problems}
  }

  it('renders every page without errors, over HTTP and from file://', async () => {
    const site = (await currentBuild(paths))!
    for (const [how, root] of [['http', base], ['file', pathToFileURL(site).href + '/']] as const) {
      for (const path of PAGES) {
        const {page, problems} = await open(root + path)
        expect(problems, `${how} ${path}`).toEqual([])
        expect(await page.locator('main').count()).toBe(1)
        // Every image decodes (a broken one loads with status 200 but has no size); lazy ones load once scrolled to.
        await page.evaluate('window.scrollTo(0, document.body.scrollHeight)')
        await page.waitForLoadState('networkidle')
        const broken = (await page.evaluate(`[...document.images].filter((i) => i.naturalWidth === 0).map((i) => i.getAttribute('src'))`)) as string[]
        expect(broken, `${how} ${path}`).toEqual([])
        if (how === 'http') await page.screenshot({path: join(shots, `${path.replace(/\W+/g, '_')}.png`), fullPage: true})
        await page.close()
      }
    }
  })

  it('draws the newest values as dots over the binned history', async () => {
    const {withCtf, withMotion} = report.counts
    const {page} = await open(base + 'ctf.html')
    const dots = (caption: string) => page.locator('figure.chart', {hasText: caption}).locator('circle').count()
    expect(await dots('Defocus U and V')).toBe(2 * withCtf)
    expect(await dots('Fit resolution over time')).toBe(withCtf)
    for (const figure of await page.locator('figure.chart[data-points]').all()) {
      const promised = Number(await figure.getAttribute('data-points'))
      if (promised > 0) expect(await figure.locator('circle').count()).toBe(promised)
    }
    // The binned history: a median line per series under the dots.
    expect(Number(await page.locator('figure.chart', {hasText: 'Fit resolution over time'}).getAttribute('data-bins'))).toBe(report.charts.ctf.resolution[0].bins.length)
    const defocus = page.locator('figure.chart', {hasText: 'Defocus U and V'})
    expect(await defocus.locator('g[aria-label="line"] path').count()).toBe(2)
    expect(await defocus.locator('g[aria-label="area"] path').count()).toBe(4) // quartiles and range, U and V
    await page.goto(base + 'motion.html')
    expect(await page.locator('figure.chart', {hasText: 'Total, early and late drift'}).locator('circle').count()).toBe(3 * withMotion)
    await page.goto(base + 'micrograph/1.html')
    expect(await page.locator('figure.chart', {hasText: 'Drift trajectory'}).locator('circle').count()).toBe(40)
    await page.close()
  })

  it('lists every micrograph, sorts and filters, and shows the XSS name as text', async () => {
    const {page, problems} = await open(base + 'micrographs.html')
    const rows = page.locator('#micrographs tbody tr')
    expect(await rows.count()).toBe(MOVIES)
    const names = await page.locator('#micrographs tbody td:nth-child(4)').allTextContents()
    expect(names).toEqual(report.table.latest.map((m) => m.name))
    expect(names).toHaveLength(MOVIES)
    expect(await page.locator('#micrographs img[src="x"]').count()).toBe(0)
    await expect(page.getByText(XSS, {exact: true}).count()).resolves.toBeGreaterThan(0)
    // Sorting by resolution (best first), failed movies (no CTF) last.
    await page.locator('th[data-key="resolution"] button').click()
    // The rows of every table page load first.
    await page.locator('#table-count', {hasText: `${MOVIES} of ${MOVIES} shown`}).waitFor()
    const resolutions = (await page.locator('#micrographs tbody td:nth-child(7)').allTextContents()).map((t) => Number.parseFloat(t))
    const known = resolutions.filter((r) => !Number.isNaN(r))
    expect(known).toEqual([...known].sort((a, b) => a - b))
    expect(Number.isNaN(resolutions.at(-1)!)).toBe(true)
    await page.locator('#table-filter input[name="name"]').fill('onerror')
    await page.locator('#table-count', {hasText: `1 of ${MOVIES} shown`}).waitFor()
    expect(await rows.count()).toBe(1)
    // A table page (the export's) lists the same rows, with links that work one folder down.
    await page.goto(base + 'micrographs/1.html')
    expect(await rows.count()).toBe(MOVIES)
    await page.locator('#micrographs tbody a', {hasText: XSS}).click()
    await page.waitForURL(/micrograph\/2\.html$/)
    expect(problems).toEqual([])
    await page.goto(base + 'micrograph/2.html')
    expect(await page.locator('h2').first().textContent()).toBe(XSS)
    // The picks toggle works without JavaScript (a checkbox and CSS).
    const overlay = page.locator('.viewer svg')
    await expect(overlay.isVisible()).resolves.toBe(true)
    await page.locator('#show-picks').uncheck()
    await expect(overlay.isVisible()).resolves.toBe(false)
    // The result history: both CTF versions, the rerun current, its parameters shown as text.
    const ctfRuns = page.locator('table.provenance tr[data-step="ctf"]')
    expect(await ctfRuns.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-version'), r.className]))).toEqual([['1', 'earlier'], ['2', 'current']])
    await expect(page.locator('table.provenance tr.current[data-step="ctf"] td:nth-child(3)').textContent()).resolves.toBe('current')
    await expect(page.locator('table.provenance b').count()).resolves.toBe(0)
    await expect(page.locator('table.provenance pre', {hasText: '<b>refit</b>'}).count()).resolves.toBe(1)
    await page.close()
  })

  it('works with JavaScript off', async () => {
    const context = await browser.newContext({javaScriptEnabled: false})
    const page = await context.newPage()
    await page.goto(base + 'micrographs.html')
    expect(await page.locator('#micrographs tbody tr').count()).toBe(MOVIES)
    await page.goto(base + 'ctf.html')
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThan(3)
    await context.close()
  })

  it('keeps the overview small and the refresh bar for live sessions only', async () => {
    const site = (await currentBuild(paths))!
    expect(readFileSync(join(site, 'index.html')).length).toBeLessThan(1_000_000)
    const {page} = await open(base + 'index.html')
    await expect(page.locator('#refresh').isVisible()).resolves.toBe(true)
    await page.locator('#refresh-toggle').click()
    await expect(page.locator('#refresh-toggle').textContent()).resolves.toBe('Resume')
    // A micrograph page (made once per micrograph) learns the state from data/session.js.
    await page.goto(base + 'micrograph/1.html')
    await expect(page.locator('#session-state').textContent()).resolves.toBe('Session running · ')
    await expect(page.locator('#refresh').isVisible()).resolves.toBe(true)
    await page.close()
  })
})
