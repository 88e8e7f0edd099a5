// TLS end to end on loopback: a throwaway CA and a controller certificate made with openssl; the
// controller serves wss:// with them, an agent that pins the CA joins, one that does not (or pins
// another CA, or speaks plain ws://) is refused; the controller's own commands pin its certificate.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, expect, it} from 'vitest'
import {PROTOCOL_VERSION} from '../../core/protocol/index.js'
import {asEventMessages, sampleMovieEvents} from '../../core/protocol/samples.js'
import {validateWorkflow} from '../../core/workflow/index.js'
import {createProject} from '../../controller/project/create.js'
import {controlRequest} from '../../controller/server/control-client.js'
import {readServerInfo} from '../../controller/server/server-info.js'
import {AGENT_PATH, startServer, type ControllerServer} from '../../controller/server/server.js'
import {loadTls} from '../../controller/server/tls.js'
import {describeWithTools} from '../support/system-tools.js'
import {RawAgent} from './test-agent.js'

const servers: ControllerServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})

/** A CA and a leaf for localhost/127.0.0.1 signed by it; returns the file paths. */
function makeCertificates(dir: string, name: string) {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', `/CN=${name} test CA`])
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost'])
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`])
  return {ca: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`)}
}

describeWithTools({commands: ['openssl']}, 'controller over TLS', () => {
  it('serves wss:// with the given certificate; the agent verifies it against a pinned CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'))
    const mine = makeCertificates(dir, 'site')
    const other = makeCertificates(dir, 'other')
    const workflow = validateWorkflow({
      acquisition: {inputFolder: '/data', pixelSize: 0.83, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
      picking: {diameterMin: 100, diameterMax: 150},
    })
    const projectsDir = join(dir, 'projects')
    const {token} = await createProject({projectsDir, name: 'apo', workflow})
    const lines: string[] = []
    const server = await startServer({projectsDir, port: 0, tls: loadTls(mine), log: (level, m) => lines.push(`${level} ${m}`)})
    servers.push(server)
    const hello = {type: 'hello', protocol: PROTOCOL_VERSION, agentId: 'krios', project: 'apo', token, host: 'pc', software: 't'} as const

    const agent = await RawAgent.connect(`wss://127.0.0.1:${server.port}${AGENT_PATH}`, {ca: readFileSync(mine.ca, 'utf8')})
    agent.send(hello)
    for (const m of asEventMessages('krios', sampleMovieEvents('a.tiff'))) agent.send(m)
    await agent.ackedUpTo(7)
    agent.ws.close()

    // No pinned CA (system CAs only), another CA, plain ws: no connection, so no hello is sent.
    await expect(RawAgent.connect(`wss://127.0.0.1:${server.port}${AGENT_PATH}`)).rejects.toThrow(/self-signed|unable to (get|verify)/i)
    await expect(RawAgent.connect(`wss://localhost:${server.port}${AGENT_PATH}`, {ca: readFileSync(other.ca, 'utf8')})).rejects.toThrow(/unable to (get|verify)|self-signed/i)
    await expect(RawAgent.connect(`ws://127.0.0.1:${server.port}${AGENT_PATH}`)).rejects.toThrow()

    // The controller's commands reach it over TLS, pinning the recorded certificate.
    expect(readServerInfo(projectsDir)?.tlsFingerprint256).toBe(loadTls(mine).fingerprint256)
    const status = await controlRequest(projectsDir, 'apo', 'status')
    expect(status!.movies.found).toBe(1)
    expect(lines.some((l) => l.includes(`wss://127.0.0.1:${server.port}`))).toBe(true)
  })

  it('the control client refuses a controller whose certificate is not the one recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'))
    const mine = makeCertificates(dir, 'site')
    const other = makeCertificates(dir, 'other')
    const projectsDir = join(dir, 'projects')
    await createProject({projectsDir, name: 'apo', workflow: validateWorkflow({acquisition: {inputFolder: '/d', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1}})})
    const server = await startServer({projectsDir, port: 0, tls: loadTls(mine), log: () => {}})
    servers.push(server)
    const infoFile = join(projectsDir, '.controller.json')
    const info = JSON.parse(readFileSync(infoFile, 'utf8'))
    writeFileSync(infoFile, JSON.stringify({...info, tlsFingerprint256: loadTls(other).fingerprint256}) + '\n')
    await expect(controlRequest(projectsDir, 'apo', 'status')).rejects.toThrow(/another certificate/)
  })

  it('warns when serving a non-loopback address without TLS, not with it or on loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-'))
    const mine = makeCertificates(dir, 'site')
    const warnings = async (host: string, tls: boolean) => {
      const lines: string[] = []
      const projectsDir = mkdtempSync(join(dir, 'p-'))
      const server = await startServer({projectsDir, host, port: 0, log: (level, m) => lines.push(`${level} ${m}`), ...(tls ? {tls: loadTls(mine)} : {})})
      await server.close()
      return lines.filter((l) => l.startsWith('warn') && l.includes('without TLS'))
    }
    expect(await warnings('0.0.0.0', false)).toHaveLength(1)
    expect(await warnings('0.0.0.0', true)).toHaveLength(0)
    expect(await warnings('127.0.0.1', false)).toHaveLength(0)
  })
})
