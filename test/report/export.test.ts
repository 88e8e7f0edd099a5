import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PicksFile} from '../../controller/report/export-types.js'
import {ExportError, exportReport, readSiteData, ReportExporter} from '../../controller/report/export.js'
import {ProjectReader, readReportData} from '../../controller/report/read-project.js'
import {readTableRows} from '../../controller/report/table-pages.js'
import {fileName, redactPaths} from '../../controller/report/redact.js'
import {SIDECARS_SQL} from '../../controller/project/schema.js'
import {workflowThresholds} from '../../controller/curation/thresholds.js'
import {syntheticProject} from './synthetic-project.js'

const XSS = '<img src=x onerror=alert(1)>.mrc'
const dir = mkdtempSync(join(tmpdir(), 'emstream-report-export-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('redactPaths', () => {
  it('keeps only the file name of absolute paths', () => {
    expect(redactPaths('--in /data/2026/x/a.mrc --out=/tmp/o/')).toBe('--in a.mrc --out=')
    expect(redactPaths('C:\\EPU\\Images-Disc1\\a.tif failed')).toBe('a.tif failed')
  })
  it('leaves ratios, URLs and relative paths alone', () => {
    for (const s of ['ratio 1/2', 'http://host/a/b', 'movies/a.tiff', '/single']) expect(redactPaths(s)).toBe(s)
  })
  it('names files with either separator', () => {
    expect(fileName('/a/b/c.mrc')).toBe('c.mrc')
    expect(fileName('C:\\a\\c.tif')).toBe('c.tif')
  })
})

describe('exportReport', () => {
  it('exports every micrograph with its results, no absolute paths, and images made once', async () => {
    const p = await syntheticProject({movies: 6, dir, failed: [2], name: (i) => (i === 1 ? XSS : `FoilHole_${i}_Data.tiff`)})
    const data = join(dir, 'data')
    const first = await exportReport(p.db, data, {name: 'demo', workflow: p.workflow, now: p.startedAt + 3_600_000})
    const report = readSiteData(data)
    const full = readReportData(p.db, {name: 'demo', workflow: p.workflow}).data
    expect(full.micrographs.map((m) => m.name)).toEqual(['FoilHole_0_Data.tiff', XSS, 'FoilHole_2_Data.tiff', 'FoilHole_3_Data.tiff', 'FoilHole_4_Data.tiff', 'FoilHole_5_Data.tiff'])
    const failed = full.micrographs[2]
    expect(failed).toMatchObject({state: 'failed', failedStep: 'ctf', ctf: null, error: 'CTF fit failed on 3.mrc'})
    expect(full.micrographs[0].ctf?.defocusU).toBeGreaterThan(full.micrographs[0].ctf!.defocusV)
    // report.json holds summaries, not the micrographs: their rows are on the table pages, the rest on their own pages.
    expect(report).not.toHaveProperty('micrographs')
    expect(report).not.toHaveProperty('provenance')
    expect(report.counts).toMatchObject({micrographs: 6, withCtf: 5, withMotion: 6})
    expect(report.charts.ctf.resolution[0].recent.map((r) => r.name)).toEqual(full.micrographs.filter((m) => m.ctf).map((m) => m.name))
    expect(report.steps.find((s) => s.step === 'ctf')).toMatchObject({done: 5, failed: 1})
    // Newest first: the open CTF alert (raised later), then the resolved disk alert.
    expect([...report.alerts.open, ...report.alerts.resolved].map((a) => [a.monitor, a.resolvedAt === null])).toEqual([['ctf-resolution', true], ['disk', false]])
    expect(report.curation.rejected).toBeGreaterThanOrEqual(1)
    const rows = readTableRows(data)
    const failedRow = rows.find((r) => r.id === failed.id)!
    expect(failedRow).toMatchObject({accepted: false, reason: 'ctf failed: CTF fit failed on 3.mrc'})
    // Provenance records are shared between movies: fewer than one per run.
    expect(new Set(full.micrographs.flatMap((m) => m.runs)).size).toBe(full.provenance.length)
    const pages = readdirSync(join(data, 'pages')).sort()
    expect(pages).toEqual(full.micrographs.map((m) => `${m.id}.html`).sort())
    const tablePages = readdirSync(join(data, 'table')).map((f) => readFileSync(join(data, 'table', f), 'utf8'))
    for (const text of [JSON.stringify(report), ...tablePages, ...pages.map((f) => readFileSync(join(data, 'pages', f), 'utf8'))]) expect(text).not.toMatch(/(?<!\.)\/data\/|\/tmp\/|emstream-report-export/) // (../data/session.js is the site's)
    expect(first).toMatchObject({micrographs: 6, imagesMade: 6, pagesMade: 6, tablePagesMade: 2})
    expect(rows.find((r) => r.id === 1)!.images).toEqual({
      preview: 'images/1-preview.png', psd: 'images/1-psd.png', picks: 'images/1-picks.json', drift: 'images/1-drift.svg', ctf: 'images/1-ctf.svg',
    })
    expect(failedRow.images).toEqual({preview: null, psd: null, picks: null, drift: 'images/3-drift.svg', ctf: null})
    expect(readFileSync(join(data, 'images/1-drift.svg'), 'utf8').match(/<circle/g)).toHaveLength(40)
    const picks = JSON.parse(readFileSync(join(data, 'images/1-picks.json'), 'utf8')) as PicksFile
    expect(picks).toMatchObject({width: 64, height: 64})
    expect(picks.coordinates).toHaveLength(20)

    const again = await exportReport(p.db, data, {name: 'demo', workflow: p.workflow})
    expect(again).toMatchObject({imagesMade: 0, pagesMade: 0, tablePagesMade: 0})
    expect(readTableRows(data).find((r) => r.id === 1)!.images.preview).toBe('images/1-preview.png')
    expect(readdirSync(join(data, 'images')).filter((f) => f.endsWith('.tmp'))).toEqual([])
    p.db.close()
  })

  it('writes a page per micrograph with everything escaped, and remakes only the pages whose micrograph changed', async () => {
    const p = await syntheticProject({movies: 4, dir: join(dir, 'pages'), name: (i) => (i === 1 ? XSS : `FoilHole_${i}_Data.tiff`)})
    const data = join(dir, 'pages', 'data')
    const page = (id: number) => readFileSync(join(data, 'pages', `${id}.html`), 'utf8')
    const options = {name: 'demo', workflow: p.workflow}
    expect((await exportReport(p.db, data, options)).pagesMade).toBe(4)
    expect(page(2)).not.toContain('<img src=x')
    expect(page(2)).toContain('<h2>&lt;img src=x onerror=alert(1)&gt;.mrc</h2>')
    expect(page(1).match(/<circle/g)?.length).toBe(40 + 20) // drift trajectory + picks
    expect(page(1)).toContain('data-points="40"')
    const before = [1, 2, 3, 4].map(page)

    p.db.run('UPDATE ctf SET resolution = 2.5, finished_at = finished_at + 1 WHERE movie_id = 3')
    expect((await exportReport(p.db, data, options)).pagesMade).toBe(1)
    expect([1, 2, 3, 4].map(page).map((text, i) => text === before[i])).toEqual([true, true, false, true])
    expect(page(3)).toContain('2.5 Å')

    // A removed micrograph loses its page; closing the session remakes none (report.js shows the state from data/session.js).
    p.db.run('DELETE FROM movies WHERE id = 4')
    p.db.run("UPDATE sessions SET state = 'closed'")
    const closed = await exportReport(p.db, data, options)
    expect(closed.pagesMade).toBe(0)
    expect(readdirSync(join(data, 'pages')).sort()).toEqual(['1.html', '2.html', '3.html'])
    expect(page(1)).toContain('<script src="../data/session.js"></script><script src="../report.js"></script>')
    expect(page(1)).toContain('<span class="refresh" id="refresh" hidden>')
    p.db.close()
  })

  it('names the data folder when the worker cannot write it', async () => {
    const p = await syntheticProject({movies: 1, dir: join(dir, 'unwritable')})
    writeFileSync(join(dir, 'unwritable', 'plain-file'), '')
    const target = join(dir, 'unwritable', 'plain-file', 'data')
    const exporter = new ReportExporter()
    const failure = exporter.export(p.db, target, {name: 'demo', workflow: p.workflow})
    await expect(failure).rejects.toThrow(ExportError)
    await expect(failure).rejects.toThrow(`report export into ${target} failed: ENOTDIR`)
    // The same exporter goes on with the next export.
    await expect(exporter.export(p.db, join(dir, 'unwritable', 'data'), {name: 'demo', workflow: p.workflow})).resolves.toMatchObject({micrographs: 1})
    await exporter.close()
    p.db.close()
  })

  it('copies the database once the open ingest transaction has ended', async () => {
    const p = await syntheticProject({movies: 2, dir: join(dir, 'batch')})
    // As the project batches ingest: a transaction that ends on setImmediate.
    p.db.run('BEGIN')
    p.db.run("UPDATE movies SET movie = 'renamed.tiff' WHERE id = 2")
    setImmediate(() => p.db.run('COMMIT'))
    const result = await exportReport(p.db, join(dir, 'batch', 'data'), {name: 'demo', workflow: p.workflow})
    expect(result.micrographs).toBe(2)
    expect(readTableRows(join(dir, 'batch', 'data'))[0].name).toBe('renamed.tiff')
    p.db.close()
  })

  it('lists every version of every step per micrograph, the current one marked and shown', async () => {
    const p = await syntheticProject({movies: 3, dir: join(dir, 'rerun'), rerunCtf: [1]})
    const {data} = readReportData(p.db, {name: 'demo', workflow: p.workflow})
    p.db.close()
    const history = (i: number) => data.micrographs[i].runs.map((r) => data.provenance[r])
    const rerun = history(1)
    expect(rerun.map((r) => [r.step, r.version, r.current])).toEqual([
      ['motion', 1, true], ['ctf', 1, false], ['ctf', 2, true], ['picking', 1, true],
    ])
    const [earlier, current] = rerun.filter((r) => r.step === 'ctf')
    expect([earlier.parameters, current.parameters].map((text) => JSON.parse(text!).box)).toEqual([512, 1024])
    expect(current).toMatchObject({program: 'builtin', programVersion: '0.1.0', state: 'done'})
    // The CTF result shown is the current version's, not the earlier one's.
    expect(data.micrographs[1].ctf?.finishedAt).toBe(current.endedAt)
    expect(data.micrographs[1].ctf?.finishedAt).not.toBe(earlier.endedAt)
    expect(history(0).filter((r) => r.step === 'ctf').map((r) => [r.version, r.current])).toEqual([[1, true]])
  })

  it('gives micrographs with a sidecar their nominal defocus and grid square, and summarises each square', async () => {
    const p = await syntheticProject({movies: 4, dir: join(dir, 'sidecars'), failed: [2]})
    p.db.run(SIDECARS_SQL)
    const sidecar = p.db.prepare("INSERT INTO movie_sidecars (movie_id, file, format, nominal_defocus, grid_square) VALUES (?, ?, 'epu-xml', ?, ?)")
    // Movies 1-3 (ids) have sidecars in squares 7, 7 and 8; movie 4 has none.
    for (const [id, defocus, square] of [[1, 12000, '7'], [2, 15000, '7'], [3, 18000, '8']] as const) sidecar.run([id, `/data/GridSquare_${square}/Data/m${id}.xml`, defocus, square])
    sidecar.free()
    await exportReport(p.db, join(dir, 'sidecars', 'data'), {name: 'demo', workflow: p.workflow})
    const data = readSiteData(join(dir, 'sidecars', 'data'))
    const full = readReportData(p.db, {name: 'demo', workflow: p.workflow}).data
    p.db.close()
    expect(full.micrographs.map((m) => [m.nominalDefocus, m.gridSquare])).toEqual([[12000, '7'], [15000, '7'], [18000, '8'], [null, null]])
    const resolution = (i: number) => full.micrographs[i].ctf!.resolution
    // Measured against nominal: the two micrographs with CTF and a sidecar, one per nominal value (1.2 and 1.5 um).
    expect(data.charts.ctf.nominal!.bins.map((b) => [b.nominal, b.count])).toEqual([[1.2, 1], [1.5, 1]])
    expect(data.gridSquares).toEqual([
      {gridSquare: '7', movies: 2, meanResolution: expect.any(Number), rejectedShare: full.micrographs.slice(0, 2).filter((m) => m.accepted === false).length / 2},
      // Movie 3 failed in CTF: no resolution, rejected.
      {gridSquare: '8', movies: 1, meanResolution: null, rejectedShare: 1},
    ])
    // Shown to 0.1 A.
    expect(Math.abs(data.gridSquares[0].meanResolution! - (resolution(0) + resolution(1)) / 2)).toBeLessThanOrEqual(0.05 + 1e-9)
  })
})

describe('ProjectReader', () => {
  it('reads again only the movies that changed, and ends where a full read does', async () => {
    const p = await syntheticProject({movies: 6, dir: join(dir, 'reader'), failed: [2]})
    const options = {name: 'demo', workflow: p.workflow, now: p.startedAt + 3_600_000}
    const reader = new ProjectReader()
    expect(reader.read(p.db, options).reread).toBe(6)
    const unchanged = reader.read(p.db, options)
    expect(unchanged.reread).toBe(0)
    const kept = unchanged.data.micrographs[0]
    // A new CTF version of one movie, a step that fails on another, a new movie, a removed one.
    p.db.run('INSERT INTO ctf (movie_id, version, defocus_u, defocus_v, defocus_angle, astigmatism, phase_shift, resolution, figure_of_merit, finished_at) VALUES (2, 2, 20000, 19000, 10, 1000, 0, 2.9, 0.4, ?)', [p.startedAt + 1e6])
    p.db.run("UPDATE step_runs SET state = 'failed', error = 'picker died' WHERE movie_id = 5 AND step = 'picking'")
    p.db.run("INSERT INTO movies (id, movie, agent_id, path, found_at, state, updated_at) VALUES (40, 'late.tiff', 'a1', '/x/late.tiff', ?, 'processing', ?)", [p.startedAt + 1e7, p.startedAt + 1e7])
    p.db.run('DELETE FROM movies WHERE id = 6')
    const changed = reader.read(p.db, options)
    expect(changed.reread).toBe(3)
    expect(changed.data.micrographs[0]).toBe(kept)
    const full = readReportData(p.db, options)
    const runs = (d: typeof full.data) => d.micrographs.map((m) => m.runs.map((i) => d.provenance[i]))
    expect(changed.data.micrographs.map(({runs: _, ...m}) => m)).toEqual(full.data.micrographs.map(({runs: _, ...m}) => m))
    expect(runs(changed.data)).toEqual(runs(full.data))
    expect({...changed.data, micrographs: [], provenance: []}).toEqual({...full.data, micrographs: [], provenance: []})
    expect(changed.sources.sort((a, b) => a.id - b.id)).toEqual(full.sources.sort((a, b) => a.id - b.id))
    expect(changed.data.micrographs.find((m) => m.id === 2)!.ctf!.resolution).toBe(2.9)
    // `controller curate --set` stores stricter thresholds: every movie is curated again, though none was read again.
    const strict = {...workflowThresholds(p.workflow), picking: {minParticles: 10_000}}
    p.db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('curation_thresholds', ?)", [JSON.stringify(strict)])
    const curated = reader.read(p.db, options)
    expect(curated.reread).toBe(0)
    expect(curated.data.curation).toEqual(readReportData(p.db, options).data.curation)
    expect(curated.data.micrographs.filter((m) => m.picks).map((m) => [m.accepted, m.rejectReason])).toEqual(
      changed.data.micrographs.filter((m) => m.picks).map((m) => [false, expect.stringContaining('< picking.minParticles 10000')]),
    )
    p.db.close()
  })
})
