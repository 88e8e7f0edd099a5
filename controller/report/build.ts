// Builds the site in a child process into a new folder, then swaps it in atomically: `site` is a
// symbolic link renamed over the old one, so a reader (or rsync) sees the old or the new site,
// never a half-built one. The per-micrograph files move over from the current build, only the
// changed ones linked in (site-sync.ts): a build's cost does not grow with the project. The
// previous build is kept (its summary pages) for readers still in it; older ones go.
import {spawn} from 'node:child_process'
import {mkdir, readdir, readlink, rename, rm, symlink} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {syncSiteFiles} from './site-sync.js'

/** Where a project's report lives: data (the export), builds, and `site` (the current one). */
export interface ReportPaths {
  root: string
  data: string
  builds: string
  /** Symbolic link to the current build; `site/index.html` is the report. */
  site: string
}

export function reportPaths(projectRoot: string): ReportPaths {
  const root = join(projectRoot, 'report')
  return {root, data: join(root, 'data'), builds: join(root, 'builds'), site: join(root, 'site')}
}

/** The Astro project (found from this file, in the source tree and in dist/ alike). */
export function reportSiteDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (basename(dir) !== 'controller') dir = dirname(dir)
  const root = dirname(dir)
  return basename(root) === 'dist' ? join(dirname(root), 'report-site') : join(root, 'report-site')
}

export {MICROGRAPH_PAGES} from './site-files.js'

export class ReportBuildError extends Error {
  constructor(
    readonly folder: string,
    readonly problem: string,
  ) {
    super(`report build into ${folder} failed: ${problem}`)
    this.name = 'ReportBuildError'
  }
}

export interface BuildResult {
  /** The new build's folder (what `site` now points to). */
  folder: string
  ms: number
  /** Peak resident memory and CPU time of the build process. */
  maxRssBytes: number
  cpuMs: number
  /** The Astro build alone; per-micrograph files linked in (new or changed) and removed. */
  astroMs: number
  linked: number
  removed: number
}

export interface BuildOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

export async function buildReport(paths: ReportPaths, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now()
  await mkdir(paths.builds, {recursive: true})
  const folder = join(paths.builds, `${Date.now()}-${process.pid}`)
  const {usage, astroMs, files} = await buildInto(paths, folder, options)
  // The new build is the site from here: what fails now must not remove it.
  await files.commit()
  await pruneBuilds(paths, folder)
  return {folder, ms: performance.now() - started, ...usage, astroMs, linked: files.linked, removed: files.removed}
}

/** The Astro build, the per-micrograph files and the swap into `folder`, which is removed when any of them fails. */
async function buildInto(paths: ReportPaths, folder: string, options: BuildOptions) {
  const started = performance.now()
  try {
    const usage = await runAstroBuild(paths.data, folder, options)
    const astroMs = performance.now() - started
    const files = await syncSiteFiles(paths.root, paths.data, await currentBuild(paths), folder)
    await swapIn(paths, folder).catch(async (error: unknown) => {
      await files.undo()
      throw error
    })
    return {usage, astroMs, files}
  } catch (error) {
    await rm(folder, {recursive: true, force: true})
    throw error
  }
}

function runAstroBuild(data: string, out: string, options: BuildOptions): Promise<{maxRssBytes: number; cpuMs: number}> {
  return new Promise((resolvePromise, reject) => {
    // A larger young generation: the build allocates a DOM node per chart point, and with the
    // default semi-space V8 spent a fifth of a 10,000-micrograph build in scavenges.
    const child = spawn(process.execPath, ['--max-semi-space-size=32', join(reportSiteDir(), 'build.mjs'), resolve(data), resolve(out)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Astro resolves the site's packages from the working folder.
      cwd: reportSiteDir(),
      timeout: options.timeoutMs ?? 10 * 60_000,
      signal: options.signal,
      // A loader the controller runs under (tsx, when run from source) is not Astro's business.
      env: {...process.env, NODE_OPTIONS: ''},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)))
    child.on('error', (error) => reject(new ReportBuildError(out, error.message)))
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new ReportBuildError(out, `${signal ? `killed by ${signal}` : `exit ${code}`}: ${stderr.trim() || stdout.slice(-2000)}`))
      const last = stdout.trim().split('\n').pop() ?? '{}'
      const usage = JSON.parse(last) as {maxRssBytes?: number; cpuMs?: number}
      resolvePromise({maxRssBytes: Number(usage.maxRssBytes ?? 0), cpuMs: Number(usage.cpuMs ?? 0)})
    })
  })
}

async function swapIn(paths: ReportPaths, folder: string): Promise<void> {
  const temporary = `${paths.site}.${process.pid}.tmp`
  await rm(temporary, {force: true})
  await symlink(join('builds', basename(folder)), temporary)
  await rename(temporary, paths.site)
}

/** The current site's folder, or undefined before the first build. */
export async function currentBuild(paths: ReportPaths): Promise<string | undefined> {
  const target = await readlink(paths.site).catch(() => undefined)
  return target === undefined ? undefined : resolve(dirname(paths.site), target)
}

async function pruneBuilds(paths: ReportPaths, current: string): Promise<void> {
  const names = (await readdir(paths.builds)).sort((a, b) => Number.parseInt(a) - Number.parseInt(b))
  const keep = new Set([basename(current), ...names.filter((n) => n !== basename(current)).slice(-1)])
  for (const name of names) if (!keep.has(name)) await rm(join(paths.builds, name), {recursive: true, force: true})
}
