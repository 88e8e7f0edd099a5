// All rows of the micrographs table as a script (not JSON: fetch() is refused from file://).
import type {APIRoute} from 'astro'
import {newestFirst} from '../../lib/data.ts'
import {cells, COLUMNS} from '../../lib/table.ts'

export const GET: APIRoute = () => {
  const payload = {columns: COLUMNS, rows: newestFirst.map(cells)}
  // JSON inside a script: "<" is escaped so no string can close the script element.
  const json = JSON.stringify(payload).replace(/</g, '\\u003c')
  return new Response(`window.emstreamMicrographs = ${json};\n`, {headers: {'Content-Type': 'text/javascript'}})
}
