// Where a step runs: in the agent's own worker threads ("local", the default) or as SLURM batch
// jobs ("slurm"), several movies per job. The SLURM values are written into #SBATCH lines, so
// each is held to the characters SLURM itself accepts (no spaces or newlines).
import {Type} from '@sinclair/typebox'

export const EXECUTOR_KINDS = ['local', 'slurm'] as const

/** SLURM time limits: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (sbatch --time). */
export const SLURM_TIME_PATTERN = '^(\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d{1,2}|\\d+-\\d{1,2}:\\d{1,2}|\\d+-\\d{1,2}:\\d{1,2}:\\d{1,2})$'
/** Partition, account and QOS names: letters, digits, _ . - (a comma-separated list for partitions). */
export const SLURM_NAME_PATTERN = '^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$'
/** Memory per job as sbatch --mem takes it: a number with an optional K/M/G/T unit. */
export const SLURM_MEMORY_PATTERN = '^\\d+[KMGT]?$'
/** One extra sbatch option, in its --name=value form. */
export const SBATCH_OPTION_PATTERN = '^--[a-z][a-z-]*(=[^\\s]+)?$'

export const ExecutorSchema = Type.Object(
  {
    kind: Type.Union(
      EXECUTOR_KINDS.map((k) => Type.Literal(k)),
      {default: 'local', description: 'Run the step in the agent ("local") or as SLURM batch jobs ("slurm").'},
    ),
    partition: Type.Optional(
      Type.String({pattern: SLURM_NAME_PATTERN, description: 'must be a SLURM partition name (letters, digits, _ . -; comma-separated for several)'}),
    ),
    account: Type.Optional(Type.String({pattern: SLURM_NAME_PATTERN, description: 'must be a SLURM account name (letters, digits, _ . -)'})),
    qos: Type.Optional(Type.String({pattern: SLURM_NAME_PATTERN, description: 'must be a SLURM QOS name (letters, digits, _ . -)'})),
    cpus: Type.Integer({minimum: 1, default: 1, description: 'CPUs per job (sbatch --cpus-per-task); the step runs with this many threads.'}),
    gpus: Type.Integer({minimum: 0, default: 0, description: 'GPUs per job (sbatch --gpus); the step sees them as ids 0..gpus-1.'}),
    mem: Type.String({pattern: SLURM_MEMORY_PATTERN, default: '4G', description: 'must be memory per job as sbatch --mem takes it, e.g. 8G or 16000M'}),
    time: Type.String({
      pattern: SLURM_TIME_PATTERN,
      default: '0:30:00',
      description: 'must be a SLURM time limit per job: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS',
    }),
    moviesPerJob: Type.Integer({minimum: 1, maximum: 1000, default: 4, description: 'Movies run one after another in one job, to amortise scheduling latency.'}),
    batchWaitSeconds: Type.Number({minimum: 0, default: 10, description: 'A job with fewer than moviesPerJob movies is submitted after waiting this long (s).'}),
    maxJobs: Type.Integer({minimum: 1, default: 20, description: 'At most this many jobs of this step queued or running at once.'}),
    resubmissions: Type.Integer({
      minimum: 0,
      maximum: 20,
      default: 3,
      description: "Times a movie's job is submitted again after it failed, was pre-empted or timed out, before the step fails.",
    }),
    pollSeconds: Type.Number({minimum: 0.2, default: 10, description: 'How often squeue is asked about this step\'s jobs (s).'}),
    workDir: Type.Optional(
      Type.String({minLength: 1, description: 'Folder for job scripts, logs and results, on a file system the nodes share (default: <output>/.slurm).'}),
    ),
    setup: Type.Array(Type.String(), {
      default: [],
      description: 'Shell lines the job runs before the step (e.g. "module load nodejs"); they run as written.',
    }),
    sbatchArgs: Type.Array(Type.String({pattern: SBATCH_OPTION_PATTERN, description: 'must be an sbatch option as --name=value'}), {
      default: [],
      description: 'Extra sbatch options, e.g. ["--constraint=a100"].',
    }),
  },
  {additionalProperties: false, description: 'Where this step runs (default: in the agent).'},
)
