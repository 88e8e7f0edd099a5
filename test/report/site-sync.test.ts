// A rebuild's per-micrograph files: carried over from the current build, only what changed
// linked in, so its cost follows the changes, not the project's size.
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {reportPaths} from '../../controller/report/build.js'
import {ReportExporter} from '../../controller/report/export.js'
import {syncSiteFiles} from '../../controller/report/site-sync.js'
import {readTableRows, TABLE_PAGE_SIZE} from '../../controller/report/table-pages.js'
import {syntheticProject} from './synthetic-project.js'

const dir = mkdtempSync(join(tmpdir(), 'emstream-report-sync-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const inode = (path: string) => statSync(path).ino

describe('report site files', () => {
  it('writes table pages of a fixed size, and only the newest is remade when a micrograph arrives', async () => {
    const p = await syntheticProject({movies: TABLE_PAGE_SIZE + 1, dir})
    const paths = reportPaths(dir)
    const table = (name: string) => join(paths.data, 'table', name)
    const exporter = new ReportExporter()
    const options = {name: 'sync', workflow: p.workflow}
    try {
      expect(await exporter.export(p.db, paths.data, options)).toMatchObject({tablePagesMade: 4})
      expect(readdirSync(join(paths.data, 'table')).sort()).toEqual(['1.html', '1.js', '2.html', '2.js'])
      expect(readFileSync(table('1.html'), 'utf8').match(/<tr>/g)).toHaveLength(TABLE_PAGE_SIZE + 1) // and the head
      const oldest = inode(table('1.html'))
      const rows = readTableRows(paths.data)
      expect(rows.map((r) => r.id)).toEqual(Array.from({length: TABLE_PAGE_SIZE + 1}, (_, i) => TABLE_PAGE_SIZE + 1 - i))

      // Build 1: nothing to carry over, every file linked.
      const first = join(paths.builds, '1')
      mkdirSync(first, {recursive: true})
      const full = await syncSiteFiles(paths.root, paths.data, undefined, first)
      expect(full).toMatchObject({carried: false, removed: 0})
      expect(full.linked).toBe((TABLE_PAGE_SIZE + 1) * 6 + 4) // 5 images and a page per micrograph, 2 table pages and their scripts
      await full.commit()

      // A new micrograph: the oldest table page keeps its file; page 2 and its script are remade.
      p.db.run("INSERT INTO movies (id, movie, agent_id, path, found_at, state, updated_at) VALUES (500, 'late.tiff', 'a1', '/data/in/late.tiff', ?, 'processing', ?)", [p.startedAt + 1e8, p.startedAt + 1e8])
      expect(await exporter.export(p.db, paths.data, options)).toMatchObject({tablePagesMade: 2, pagesMade: 1})
      expect(inode(table('1.html'))).toBe(oldest)
      expect(readFileSync(table('2.html'), 'utf8')).toContain('late.tiff')

      // Build 2 takes build 1's folders and links in only what changed: the new micrograph's page and table page 2.
      const second = join(paths.builds, '2')
      mkdirSync(second)
      const carried = await syncSiteFiles(paths.root, paths.data, first, second)
      expect(carried).toMatchObject({carried: true, linked: 3, removed: 0})
      expect(readdirSync(first)).toEqual([])
      expect(inode(join(second, 'micrographs', '1.html'))).toBe(oldest)
      expect(inode(join(second, 'micrographs', '2.html'))).toBe(inode(table('2.html')))
      expect(inode(join(second, 'micrograph', '500.html'))).toBe(inode(join(paths.data, 'pages', '500.html')))
      // Not yet the site: undone, build 1 has its folders back and its record still holds.
      await carried.undo()
      expect(readdirSync(first).sort()).toEqual(['images', 'micrograph', 'micrographs'])
      const again = await syncSiteFiles(paths.root, paths.data, first, second)
      expect(again).toMatchObject({carried: true, linked: 3})
      await again.commit()

      // A removed micrograph's files go; a build whose record does not match gets every file linked.
      p.db.run('DELETE FROM movies WHERE id = 500')
      await exporter.export(p.db, paths.data, options)
      const third = join(paths.builds, '3')
      mkdirSync(third)
      expect(await syncSiteFiles(paths.root, paths.data, second, third)).toMatchObject({carried: true, linked: 2, removed: 1})
      expect(readdirSync(join(third, 'micrograph'))).not.toContain('500.html')
      const fourth = join(paths.builds, '4')
      mkdirSync(fourth)
      expect(await syncSiteFiles(paths.root, paths.data, third, fourth)).toMatchObject({carried: false, linked: full.linked})
    } finally {
      await exporter.close()
      p.db.close()
    }
  })
})
