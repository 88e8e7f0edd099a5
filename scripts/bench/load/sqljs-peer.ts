// The peer of a loaded project: a bare process that reads the snapshot file into sql.js and runs
// one count query, nothing else. Run as `tsx sqljs-peer.ts SNAPSHOT`; prints {loadMs, queryMs, rssBytes}.
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import initSqlJs from 'sql.js'

export interface SqlJsPeer {
  loadMs: number
  queryMs: number
  rssBytes: number
}

async function main(file: string): Promise<void> {
  const SQL = await initSqlJs()
  let t = performance.now()
  const db = new SQL.Database(readFileSync(file))
  const loadMs = performance.now() - t
  t = performance.now()
  db.exec('SELECT state, count(*) FROM movies GROUP BY state')
  const queryMs = performance.now() - t
  process.stdout.write(JSON.stringify({loadMs, queryMs, rssBytes: process.memoryUsage().rss}) + '\n')
}

export function runSqlJsPeer(snapshot: string): SqlJsPeer {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), snapshot], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`sql.js peer failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as SqlJsPeer
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv[2])
