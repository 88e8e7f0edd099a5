// Builds the report in this process (the controller spawns it, so a build never blocks ingest):
//   node report-site/build.mjs <data folder> <output folder>
// Prints one JSON line at the end: {"maxRssBytes": N, "cpuMs": N} (peak memory, CPU time used).
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

const [data, out] = process.argv.slice(2)
if (!data || !out) {
  console.error('usage: node report-site/build.mjs <data folder> <output folder>')
  process.exit(2)
}
const site = dirname(fileURLToPath(import.meta.url))
process.env.EMSTREAM_REPORT_DATA = data
process.env.ASTRO_TELEMETRY_DISABLED = '1'

/**
 * Astro keeps state in <site>/.astro, so builds of two projects take turns: a lock folder (in the
 * temp folder, one per site) holding the builder's pid, taken over when that process is gone.
 */
async function lock() {
  const path = join(tmpdir(), `emstream-report-build-${createHash('sha1').update(site).digest('hex').slice(0, 12)}.lock`)
  for (;;) {
    try {
      mkdirSync(path)
      writeFileSync(join(path, 'pid'), String(process.pid))
      return () => rmSync(path, {recursive: true, force: true})
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      let holder = 0
      try {
        holder = Number(readFileSync(join(path, 'pid'), 'utf8').trim() || 0)
      } catch {} // being written: wait
      if (holder && !alive(holder)) rmSync(path, {recursive: true, force: true})
      else await sleep(200)
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

const unlock = await lock()
const cacheDir = mkdtempSync(join(tmpdir(), 'emstream-astro-'))
try {
  const {build} = await import('astro')
  await build({root: site, outDir: out, cacheDir, logLevel: 'warn', telemetry: false})
  // Left behind by Astro's content layer (the report has no content collections).
  for (const leftover of ['content-assets.mjs', 'content-modules.mjs']) rmSync(join(out, leftover), {force: true})
} finally {
  rmSync(cacheDir, {recursive: true, force: true})
  unlock()
}
const usage = process.resourceUsage()
console.log(JSON.stringify({maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000}))
