// Builds the report in this process (the controller spawns it, so a build never blocks ingest):
//   node report-site/build.mjs <data folder> <output folder>
// Prints one JSON line at the end: {"maxRssBytes": N}.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const [data, out] = process.argv.slice(2)
if (!data || !out) {
  console.error('usage: node report-site/build.mjs <data folder> <output folder>')
  process.exit(2)
}
process.env.EMSTREAM_REPORT_DATA = data
process.env.ASTRO_TELEMETRY_DISABLED = '1'
// A cache folder per build: two projects may build at the same time.
const cacheDir = mkdtempSync(join(tmpdir(), 'emstream-astro-'))
try {
  const {build} = await import('astro')
  await build({root: dirname(fileURLToPath(import.meta.url)), outDir: out, cacheDir, logLevel: 'warn', telemetry: false})
} finally {
  rmSync(cacheDir, {recursive: true, force: true})
}
console.log(JSON.stringify({maxRssBytes: process.resourceUsage().maxRSS * 1024}))
