// sbatch and scancel, as argv arrays (no shell): the script is a file the agent wrote, and the
// job ids are SLURM's own.
import {execa} from 'execa'
import {SCRIPT_FILE} from './job-files.js'

export class SlurmCommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`${command} failed: ${stderr.trim() || 'no message'}`)
    this.name = 'SlurmCommandError'
  }
}

/** How long one SLURM command may take: slurmctld answers in well under this unless it is down. */
const COMMAND_TIMEOUT_MS = 60_000

/** Submits <jobDir>/job.sh from <jobDir>; returns the job id. */
export async function submitJob(jobDir: string): Promise<string> {
  const out = await execa('sbatch', ['--parsable', SCRIPT_FILE], {cwd: jobDir, reject: false, timeout: COMMAND_TIMEOUT_MS})
  // --parsable prints "<id>" or "<id>;<cluster>".
  const id = out.stdout.trim().split(';')[0]
  if (out.exitCode !== 0 || !/^\d+$/.test(id)) throw new SlurmCommandError(`sbatch in ${jobDir}`, out.stderr || out.stdout)
  return id
}

export async function cancelJobs(jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return
  const out = await execa('scancel', jobIds, {reject: false, timeout: COMMAND_TIMEOUT_MS})
  // A job that ended meanwhile is not an error ("Job/step already completing or completed").
  if (out.exitCode !== 0 && !/already complet|Invalid job id/i.test(out.stderr)) throw new SlurmCommandError(`scancel ${jobIds.join(' ')}`, out.stderr)
}
