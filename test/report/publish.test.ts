// Publishing with a real rsync (Debian package) to local folders, and the live service end to
// end on a real project: ingest -> export -> build -> publish, a failing target -> one alert.
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {loadWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../../controller/project/create.js'
import {projectLayout} from '../../controller/project/layout.js'
import {Project} from '../../controller/project/project.js'
import {checkPublish, publish, PublishError, rsyncArgv} from '../../controller/report/publish.js'
import {ReportService} from '../../controller/report/service.js'
import {MonitorService} from '../../controller/monitors/service.js'
import {describeWithTools} from '../support/system-tools.js'

const dir = mkdtempSync(join(tmpdir(), 'emstream-report-publish-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describeWithTools({commands: ['rsync']}, 'report publishing with rsync', () => {
  it('mirrors the site folder, deleting what the new build no longer has', async () => {
    const site = join(dir, 'site')
    const target = join(dir, 'www')
    mkdirSync(join(site, 'micrograph'), {recursive: true})
    writeFileSync(join(site, 'index.html'), 'one')
    writeFileSync(join(site, 'micrograph', '1.html'), 'm1')
    mkdirSync(target)
    writeFileSync(join(target, 'stale.html'), 'old')
    await publish(rsyncArgv(`${target}/`), site)
    expect(readFileSync(join(target, 'index.html'), 'utf8')).toBe('one')
    expect(readFileSync(join(target, 'micrograph', '1.html'), 'utf8')).toBe('m1')
    expect(existsSync(join(target, 'stale.html'))).toBe(false)
  })

  it('names the command and the problem when it fails, and checks a target without writing it', async () => {
    // A destination under a plain file: rsync refuses it, even in the check's --dry-run.
    writeFileSync(join(dir, 'afile'), '')
    const missing = join(dir, 'afile', 'folder/')
    await expect(checkPublish(rsyncArgv(missing))).rejects.toThrow(PublishError)
    await expect(publish(rsyncArgv(missing), join(dir, 'site'))).rejects.toThrow(/rsync -a --delete .*site\/ .*afile\/folder\/.*exit 3/)
    await expect(publish(['no-such-publisher-program', '{site}'], dir)).rejects.toThrow(/no-such-publisher-program is not installed/)
    const fresh = join(dir, 'fresh/')
    await expect(checkPublish(rsyncArgv('nosuchhost.invalid:/var/www/x/'))).rejects.toThrow(PublishError)
    await checkPublish(rsyncArgv(fresh))
    expect(existsSync(fresh)).toBe(false)
  })

  it('builds and publishes a live project, and alerts once when publishing fails', async () => {
    const {workflow} = await loadWorkflow('spa-builtin', {
      ask: false,
      settings: [`acquisition.inputFolder=${dir}/in`, 'acquisition.pixelSize=1', 'acquisition.dosePerFrame=1', 'picking.diameterMin=120', 'picking.diameterMax=180'],
    })
    const projectsDir = join(dir, 'projects')
    await createProject({projectsDir, name: 'live', workflow})
    const project = await Project.open(projectLayout(projectsDir, 'live'))
    try {
      project.schedule()
      const firstMovies = [...sampleMovieEvents('a_0001.tiff'), ...sampleMovieEvents('b_0002.tiff')]
      for (const m of asEventMessages('agent-1', firstMovies)) project.ingest(m)
      const www = join(dir, 'live-www/')
      const logs: string[] = []
      const service = new ReportService(project, {log: (level, message) => logs.push(`${level} ${message}`), publishArgv: rsyncArgv(www)})
      const built = await service.rebuild()
      expect(built, logs.join('\n')).toBeDefined()
      const index = readFileSync(join(www, 'index.html'), 'utf8')
      expect(index).toContain('live')
      expect(existsSync(join(www, 'micrographs.html'))).toBe(true)
      expect(readFileSync(join(www, 'micrograph', '1.html'), 'utf8')).toContain('a_0001.tiff')
      expect(await service.rebuild()).toBeUndefined() // nothing changed: no build

      // A new movie: a new page; the unchanged one is the same file in both builds (hard-linked), and rsync leaves it be.
      const published = statSync(join(www, 'micrograph', '1.html'))
      const linked = statSync(join(built!.folder, 'micrograph', '1.html')).ino
      for (const m of asEventMessages('agent-1', sampleMovieEvents('c_0003.tiff'), firstMovies.length + 1)) project.ingest(m)
      const next = await service.rebuild()
      expect(next, logs.join('\n')).toBeDefined()
      // Only the new movie's files (its images and page, the table page and its rows) were linked in.
      expect(next).toMatchObject({removed: 0})
      expect(next!.linked).toBeLessThanOrEqual(8)
      expect(statSync(join(next!.folder, 'micrograph', '1.html')).ino).toBe(linked)
      expect(statSync(join(www, 'micrograph', '1.html')).mtimeMs).toBe(published.mtimeMs)
      expect(readFileSync(join(www, 'micrograph', '3.html'), 'utf8')).toContain('c_0003.tiff')

      const failing = new ReportService(project, {log: (level, message) => logs.push(`${level} ${message}`), publishArgv: rsyncArgv(join(dir, 'afile', 'x/'))})
      await failing.checkPublishing()
      await failing.checkPublishing()
      // The monitors alert it while it lasts: one alert however many failures and evaluations.
      const monitors = new MonitorService(project, {log: (level, message) => logs.push(`${level} ${message}`)})
      const publishAlerts = () => project.status().alerts.filter((a) => a.monitor === 'report-publish')
      monitors.evaluate()
      monitors.evaluate()
      expect(publishAlerts()).toHaveLength(1)
      expect(publishAlerts()[0].message).toMatch(/publishing the report with `rsync/)
      // Publishing works again (the good target): the alert resolves.
      await service.checkPublishing()
      monitors.evaluate()
      expect(publishAlerts()).toHaveLength(0)
      await service.stop()
      await failing.stop()
    } finally {
      await project.close()
    }
    // Two Astro builds: on a loaded machine each can take a minute.
  }, 360_000)
})
