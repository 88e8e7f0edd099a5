// The session's state as a script, for the micrograph pages (made once per micrograph, not per
// build: report.js shows the state and the refresh bar from this). A script, not JSON: fetch()
// is refused from file://.
import type {APIRoute} from 'astro'
import {report} from '../../lib/data.ts'

export const GET: APIRoute = () =>
  new Response(`window.emstreamSession = ${JSON.stringify({state: report.session.state}).replace(/</g, '\\u003c')};\n`, {headers: {'Content-Type': 'text/javascript'}})
