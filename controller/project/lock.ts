// One writer per project: a lock file holding the writer's pid, taken with O_EXCL. A lock whose
// process is gone (a crash) is taken over.
import {readFileSync, unlinkSync, writeFileSync} from 'node:fs'
import {processAlive} from '../../core/system/process-alive.js'
import {ProjectError} from './errors.js'

/** The pid holding the lock, if a live process does. */
export function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}

export function acquireLock(file: string, project: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, {flag: 'wx', mode: 0o600})
      return () => unlinkSync(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = lockHolder(file)
      if (holder === process.pid || holder !== undefined || attempt > 0) {
        throw new ProjectError(project, `is open in another process (pid ${holder ?? 'unknown'}); stop it or use that controller`)
      }
      unlinkSync(file) // stale: its process is gone
    }
  }
}
