// `npm run bench [-- NAME ...]`: runs every scripts/bench/*.bench.ts (or those whose name
// contains one of the arguments) in its own process, so each one's peak memory is its own.
import {readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {spawnSync} from 'node:child_process'

const here = dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

let failed = 0
for (const file of benches) {
  console.log(`\n== ${file.replace('.bench.ts', '')} ==`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {stdio: 'inherit'})
  if (r.status !== 0) {
    failed++
    console.log(`bench ${file} failed with exit ${r.status ?? r.signal}`)
  }
}
process.exit(failed ? 1 : 0)
