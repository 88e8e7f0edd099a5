// `controller wizard`'s web page, on loopback only: GET / (the form), GET /remembered?microscope=M
// (that microscope's last answers), POST /session (answers -> project created and scheduled).
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {WizardError} from './errors.js'
import {rememberedAnswers} from './memory.js'
import {wizardPage} from './page.js'
import type {Answers, Question} from './questions.js'
import {createAndSchedule, type WizardResult} from './submit.js'

const MAX_BODY = 64 * 1024

export interface WizardServer {
  url: string
  close(): Promise<void>
}

export interface WizardServerOptions {
  projectsDir: string
  questions: Question[]
  port?: number
  /** Called with each project created. */
  onCreated?: (result: WizardResult) => void
}

export async function startWizardServer(options: WizardServerOptions): Promise<WizardServer> {
  const server = createServer((request, response) => void handle(request, response, options))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, options: WizardServerOptions): Promise<void> {
  const reply = (status: number, type: string, body: string) => {
    response.writeHead(status, {'content-type': type, 'cache-control': 'no-store'})
    response.end(body)
  }
  const json = (status: number, body: unknown) => reply(status, 'application/json', JSON.stringify(body))
  const url = new URL(request.url ?? '/', 'http://wizard')
  try {
    if (request.method === 'GET' && url.pathname === '/') {
      const microscope = options.questions.find((q) => q.id === 'microscope')?.default ?? ''
      return reply(200, 'text/html; charset=utf-8', wizardPage(options.questions, {microscope, ...rememberedAnswers(options.projectsDir, microscope)}))
    }
    if (request.method === 'GET' && url.pathname === '/remembered') {
      return json(200, rememberedAnswers(options.projectsDir, url.searchParams.get('microscope') ?? ''))
    }
    if (request.method === 'POST' && url.pathname === '/session') {
      const result = await createAndSchedule(options.projectsDir, options.questions, await readAnswers(request))
      options.onCreated?.(result)
      return json(200, result)
    }
    json(404, {error: 'no such page'})
  } catch (error) {
    const name = (error as Error).name
    if (name === 'WorkflowError' || name === 'ProjectError' || name === 'WizardError') return json(400, {error: (error as Error).message})
    json(500, {error: (error as Error).message})
  }
}

async function readAnswers(request: IncomingMessage): Promise<Answers> {
  let text = ''
  for await (const chunk of request) {
    text += String(chunk)
    if (text.length > MAX_BODY) throw new WizardError('the answers are too large')
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new WizardError('the answers are not JSON')
  }
  if (body === null || typeof body !== 'object' || Object.values(body).some((v) => typeof v !== 'string')) {
    throw new WizardError('the answers must be an object of texts')
  }
  return body as Answers
}
