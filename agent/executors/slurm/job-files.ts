// The folder of one SLURM job, shared by the agent (which writes the tasks and reads results)
// and the job (which does the reverse): <job>/tasks.json, <job>/results/<task>.json,
// <job>/started.json and the job's log. Results are written whole (temp file + rename), so a
// reader never sees half a file, even over NFS.
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {StepReply} from '../../pipeline/invoke-step.js'
import type {StepCall} from '../../pipeline/step-runner.js'

export interface JobTask {
  id: string
  call: StepCall
}

export interface JobTasks {
  tasks: JobTask[]
}

/** What the job writes each time it starts (again, after a requeue). */
export interface JobStart {
  jobId: string
  restart: number
  host: string
  at: number
}

/** Who submitted a job, so a later agent on the same host can cancel the jobs of one that died. */
export interface JobOwner {
  jobId: string
  host: string
  pid: number
  at: number
}

export const TASKS_FILE = 'tasks.json'
export const SUBMITTED_FILE = 'submitted.json'
/** Marks a job folder whose agent died and whose job was dealt with (cancelled, or already ended). */
export const ABANDONED_FILE = 'abandoned.json'
export const SCRIPT_FILE = 'job.sh'
export const STARTED_FILE = 'started.json'
/** sbatch --output, relative to the job folder (sbatch runs there). */
export const LOG_PATTERN = 'slurm-%j.out'

const resultsDir = (jobDir: string) => join(jobDir, 'results')

export function logFile(jobDir: string, jobId: string): string {
  return join(jobDir, LOG_PATTERN.replace('%j', jobId))
}

function writeWhole(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, JSON.stringify(value))
  renameSync(temp, file)
}

export function writeTasks(jobDir: string, tasks: JobTask[]): void {
  mkdirSync(resultsDir(jobDir), {recursive: true})
  writeWhole(join(jobDir, TASKS_FILE), {tasks} satisfies JobTasks)
}

export function readTasks(jobDir: string): JobTask[] {
  return (JSON.parse(readFileSync(join(jobDir, TASKS_FILE), 'utf8')) as JobTasks).tasks
}

export function writeResult(jobDir: string, taskId: string, reply: StepReply): void {
  writeWhole(join(resultsDir(jobDir), `${taskId}.json`), reply)
}

export function hasResult(jobDir: string, taskId: string): boolean {
  return existsSync(join(resultsDir(jobDir), `${taskId}.json`))
}

/** The results written so far, by task id. */
export function readResults(jobDir: string): Map<string, StepReply> {
  const results = new Map<string, StepReply>()
  for (const name of readdirSync(resultsDir(jobDir))) {
    if (!name.endsWith('.json')) continue
    results.set(name.slice(0, -'.json'.length), JSON.parse(readFileSync(join(resultsDir(jobDir), name), 'utf8')) as StepReply)
  }
  return results
}

export function writeStarted(jobDir: string, start: JobStart): void {
  writeWhole(join(jobDir, STARTED_FILE), start)
}

export function readStarted(jobDir: string): JobStart | undefined {
  const file = join(jobDir, STARTED_FILE)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JobStart) : undefined
}

export function writeSubmitted(jobDir: string, owner: JobOwner): void {
  writeWhole(join(jobDir, SUBMITTED_FILE), owner)
}

export function readSubmitted(jobDir: string): JobOwner | undefined {
  const file = join(jobDir, SUBMITTED_FILE)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JobOwner) : undefined
}

export function markAbandoned(jobDir: string, why: {state: string; cancelled: boolean}): void {
  writeWhole(join(jobDir, ABANDONED_FILE), {...why, at: Date.now()})
}

export function isAbandoned(jobDir: string): boolean {
  return existsSync(join(jobDir, ABANDONED_FILE))
}

/** The last lines of the job's log, for a failure message. */
export function logTail(jobDir: string, jobId: string, lines = 5): string {
  const file = logFile(jobDir, jobId)
  if (!existsSync(file)) return ''
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
}
