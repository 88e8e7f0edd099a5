// Publishing: after each build, the built site is copied elsewhere by a command run as an argv
// (no shell) with a timeout, by default `rsync -a --delete {site}/ <report.publishTarget>`.
import {execFile} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const SITE_PLACEHOLDER = '{site}'
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5 * 60_000

export class PublishError extends Error {
  constructor(
    readonly argv: string[],
    readonly problem: string,
  ) {
    super(`publishing the report with \`${argv.join(' ')}\` failed: ${problem}`)
    this.name = 'PublishError'
  }
}

/** The rsync command for a target (`user@host:/var/www/session/` or a local folder). */
export function rsyncArgv(target: string): string[] {
  return ['rsync', '-a', '--delete', `${SITE_PLACEHOLDER}/`, target]
}

/** Runs the publish argv with {site} replaced by the built folder. */
export function publish(argv: string[], site: string, timeoutMs = DEFAULT_PUBLISH_TIMEOUT_MS): Promise<void> {
  const command = argv.map((a) => a.replaceAll(SITE_PLACEHOLDER, site))
  return run(command, timeoutMs)
}

/**
 * Checked once when the session is scheduled: the same command on an empty folder with
 * rsync's --dry-run, so an unreachable host or a wrong path shows before the first build.
 */
export async function checkPublish(argv: string[], timeoutMs = 30_000): Promise<void> {
  const empty = await mkdtemp(join(tmpdir(), 'emstream-publish-check-'))
  try {
    const command = argv.map((a) => a.replaceAll(SITE_PLACEHOLDER, empty))
    const dry = command[0].endsWith('rsync') ? [command[0], '--dry-run', ...command.slice(1).filter((a) => a !== '--delete')] : command
    await run(dry, timeoutMs)
  } finally {
    await rm(empty, {recursive: true, force: true})
  }
}

function run(command: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command[0], command.slice(1), {timeout: timeoutMs, maxBuffer: 1 << 20}, (error, _stdout, stderr) => {
      if (!error) return resolve()
      const e = error as NodeJS.ErrnoException & {killed?: boolean; code?: number | string}
      const problem = e.code === 'ENOENT' ? `${command[0]} is not installed` : e.killed ? `timed out after ${timeoutMs / 1000} s` : `exit ${e.code}: ${String(stderr).trim().slice(-1000)}`
      reject(new PublishError(command, problem))
    })
  })
}
