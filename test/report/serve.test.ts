// The latest built report over HTTP, as `controller serve` answers /report/<project>/.
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer, request as httpRequest, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LiveReports} from '../../controller/report/live.js'

const projects = mkdtempSync(join(tmpdir(), 'emstream-report-serve-'))
let server: Server
let port: number

function get(path: string, method = 'GET'): Promise<{status: number; body: string; headers: Record<string, unknown>}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({host: '127.0.0.1', port, path, method}, (res) => {
      let body = ''
      res.on('data', (b: Buffer) => (body += b.toString()))
      res.on('end', () => resolve({status: res.statusCode!, body, headers: res.headers}))
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  const report = join(projects, 'demo', 'report')
  mkdirSync(join(report, 'builds', '1', 'micrograph'), {recursive: true})
  writeFileSync(join(report, 'builds', '1', 'index.html'), '<h1>first</h1>')
  writeFileSync(join(report, 'builds', '1', 'micrograph', '7.html'), 'seven')
  writeFileSync(join(projects, 'secret.txt'), 'not published')
  symlinkSync(join('builds', '1'), join(report, 'site'))
  const live = new LiveReports(projects, () => {})
  server = createServer((req, res) => {
    if (live.handles(req)) return void live.serve(req, res)
    res.writeHead(418).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(projects, {recursive: true, force: true})
})

describe('report over HTTP', () => {
  it('serves the current build, with the folder form of the project path', async () => {
    expect(await get('/report/demo/')).toMatchObject({status: 200, body: '<h1>first</h1>'})
    expect((await get('/report/demo/')).headers['content-type']).toMatch(/text\/html/)
    expect(await get('/report/demo/micrograph/7.html')).toMatchObject({status: 200, body: 'seven'})
    const redirect = await get('/report/demo')
    expect(redirect).toMatchObject({status: 301, headers: {location: '/report/demo/'}})
  })

  it('serves nothing outside the site, and only reads', async () => {
    expect((await get('/report/demo/%2e%2e/%2e%2e/%2e%2e/secret.txt')).status).toBe(404)
    expect((await get('/report/demo/../../secret.txt')).status).toBe(404)
    expect((await get('/report/..%2fsecret.txt/')).status).toBe(404)
    expect((await get('/report/nosuch/')).status).toBe(404)
    expect((await get('/report/demo/index.html', 'PUT')).status).toBe(405)
    expect((await get('/report/demo/build', 'POST')).status).toBe(404) // not open in this controller
  })
})
