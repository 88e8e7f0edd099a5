// Whether a pid names a live process on this host: how a lock file's or a job folder's owner is
// known to be gone (agent and controller both ask).

/** kill(pid, 0) probes without signalling; EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
