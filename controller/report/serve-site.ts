// Serves a built report over HTTP (GET/HEAD only, inside the site folder only). Used by
// `controller serve` at /report/<project>/ and by the browser tests as a plain static server.
import {createReadStream} from 'node:fs'
import {realpath, stat} from 'node:fs/promises'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {extname, join, sep} from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
}

/**
 * Answers `relativePath` (already stripped of any prefix, URL-encoded) from `site`, a folder or a
 * link to one (resolved per request, so a swapped-in build is served at once).
 */
export async function serveSiteFile(site: string, relativePath: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed')
  let path: string
  try {
    path = decodeURIComponent(relativePath.split('?')[0])
  } catch {
    return send(response, 400, 'bad path')
  }
  const root = await realpath(site).catch(() => undefined)
  if (!root) return send(response, 404, 'no report has been built yet')
  const file = await realpath(join(root, path.endsWith('/') || path === '' ? join(path, 'index.html') : path)).catch(() => undefined)
  if (!file || (file !== root && !file.startsWith(root + sep))) return send(response, 404, 'not found')
  const info = await stat(file)
  if (!info.isFile()) return send(response, 404, 'not found')
  response.writeHead(200, {'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size, 'Cache-Control': 'no-cache'})
  if (request.method === 'HEAD') return void response.end()
  createReadStream(file).pipe(response)
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {'Content-Type': 'text/plain; charset=utf-8'})
  response.end(text + '\n')
}
