// The project database (SQLite, run in memory by sql.js). Results are keyed (movie, step version),
// so applying one result twice updates the same row. Times are ms since the Unix epoch.
export const SCHEMA_VERSION = 1

/** Re-processing requests (controller/rerun); created on first use in projects made before it existed. */
export const RERUNS_SQL = `CREATE TABLE IF NOT EXISTS reruns (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  revision INTEGER NOT NULL REFERENCES workflows(revision),
  steps TEXT NOT NULL,
  settings TEXT NOT NULL,
  movies TEXT NOT NULL
);`

/** Movie files' checksums (provenance); created on first use in projects made before it existed. */
export const CHECKSUMS_SQL = `CREATE TABLE IF NOT EXISTS movie_checksums (
  movie_id INTEGER PRIMARY KEY REFERENCES movies(id),
  checksum TEXT NOT NULL
);`

/** The SLURM job that ran a step version (provenance); created on first use in projects made before it existed. */
export const STEP_RUN_JOBS_SQL = `CREATE TABLE IF NOT EXISTS step_run_jobs (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  step TEXT NOT NULL,
  version INTEGER NOT NULL,
  scheduler TEXT NOT NULL,
  job_id TEXT NOT NULL,
  node TEXT NOT NULL,
  PRIMARY KEY (movie_id, step, version)
) WITHOUT ROWID;`

/** Acquisition metadata from movies' EPU XML / .mdoc sidecars; created on first use in projects made before it existed. */
export const SIDECARS_SQL = `CREATE TABLE IF NOT EXISTS movie_sidecars (
  movie_id INTEGER PRIMARY KEY REFERENCES movies(id),
  file TEXT NOT NULL,
  format TEXT NOT NULL,
  nominal_defocus REAL,
  total_dose REAL,
  acquired_at TEXT,
  grid_square TEXT
);`

/** Each agent's latest verdict on the workflow (accepted, or refused and why); created on first use. */
export const AGENT_WORKFLOWS_SQL = `CREATE TABLE IF NOT EXISTS agent_workflows (
  agent_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  step TEXT,
  reason TEXT,
  at INTEGER NOT NULL
);`

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE workflows (
  revision INTEGER PRIMARY KEY,
  workflow TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- One row per scheduled run of the project (a project is normally scheduled once).
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('created', 'scheduled', 'running', 'closed')),
  workflow_revision INTEGER NOT NULL REFERENCES workflows(revision),
  created_at INTEGER NOT NULL,
  scheduled_at INTEGER,
  started_at INTEGER,
  input_closed_at INTEGER,
  input_closed_reason TEXT,
  closed_at INTEGER
);

-- Sets of results the report and downstream jobs read: open while streaming, closed at the end.
CREATE TABLE output_sets (
  name TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  opened_at INTEGER,
  closed_at INTEGER
);

-- Exactly-once: the highest event seq applied per agent (events arrive without gaps).
CREATE TABLE agents (
  agent_id TEXT PRIMARY KEY,
  host TEXT,
  software TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);

CREATE TABLE movies (
  id INTEGER PRIMARY KEY,
  movie TEXT NOT NULL UNIQUE,
  agent_id TEXT,
  path TEXT,
  size_bytes INTEGER,
  format TEXT,
  modified_at INTEGER,
  found_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('found', 'processing', 'done', 'failed')),
  failed_step TEXT,
  error TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX movies_state ON movies(state);

-- Latest attempt of each step of each movie, with its provenance.
CREATE TABLE step_runs (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  step TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'retrying')),
  attempt INTEGER NOT NULL,
  agent_id TEXT,
  program TEXT,
  program_version TEXT,
  argv TEXT,
  parameters TEXT,
  started_at INTEGER,
  ended_at INTEGER,
  exit_status INTEGER,
  stderr_tail TEXT,
  host TEXT,
  error TEXT,
  outputs TEXT,
  PRIMARY KEY (movie_id, step, version)
) WITHOUT ROWID;
CREATE INDEX step_runs_state ON step_runs(step, state);

-- Motion correction results; shifts as little-endian Float32 (x, y) pairs per frame.
CREATE TABLE micrographs (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  version INTEGER NOT NULL,
  path TEXT NOT NULL,
  path_no_dw TEXT,
  pixel_size REAL NOT NULL,
  frames INTEGER NOT NULL,
  dose_per_frame REAL NOT NULL,
  total_motion REAL NOT NULL,
  early_motion REAL NOT NULL,
  late_motion REAL NOT NULL,
  shifts BLOB NOT NULL,
  patches_x INTEGER,
  patches_y INTEGER,
  star_file TEXT,
  warnings TEXT,
  finished_at INTEGER NOT NULL,
  gain_residual TEXT,
  PRIMARY KEY (movie_id, version)
) WITHOUT ROWID;

CREATE TABLE ctf (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  version INTEGER NOT NULL,
  defocus_u REAL NOT NULL,
  defocus_v REAL NOT NULL,
  defocus_angle REAL NOT NULL,
  astigmatism REAL NOT NULL,
  phase_shift REAL NOT NULL,
  resolution REAL NOT NULL,
  figure_of_merit REAL NOT NULL,
  psd_image TEXT,
  warnings TEXT,
  finished_at INTEGER NOT NULL,
  PRIMARY KEY (movie_id, version)
) WITHOUT ROWID;

-- One row per micrograph's pick set; the coordinates themselves stay in the agent's STAR file
-- (a row per particle would put tens of millions of rows in memory over a long session).
CREATE TABLE particles (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  version INTEGER NOT NULL,
  count INTEGER NOT NULL,
  coordinates_file TEXT NOT NULL,
  mean_score REAL,
  mean_diameter REAL,
  finished_at INTEGER NOT NULL,
  PRIMARY KEY (movie_id, version)
) WITHOUT ROWID;

CREATE TABLE previews (
  movie_id INTEGER NOT NULL REFERENCES movies(id),
  version INTEGER NOT NULL,
  micrograph_preview TEXT NOT NULL,
  psd_preview TEXT,
  finished_at INTEGER NOT NULL,
  PRIMARY KEY (movie_id, version)
) WITHOUT ROWID;

${RERUNS_SQL}

${CHECKSUMS_SQL}

CREATE TABLE system_samples (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL,
  host TEXT NOT NULL,
  at INTEGER NOT NULL,
  cpu_percent REAL NOT NULL,
  load1 REAL NOT NULL,
  memory_used_bytes REAL NOT NULL,
  memory_total_bytes REAL NOT NULL,
  swap_used_bytes REAL NOT NULL,
  disks TEXT NOT NULL,
  gpus TEXT NOT NULL,
  pipeline_queued INTEGER NOT NULL,
  pipeline_running INTEGER NOT NULL
);
CREATE INDEX system_samples_at ON system_samples(at);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  monitor TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message TEXT NOT NULL,
  movie TEXT,
  value REAL,
  threshold REAL,
  resolved_at INTEGER,
  details TEXT
);
CREATE INDEX alerts_open ON alerts(monitor, resolved_at);
`

/** Output set names, one per kind of result (plus the movies themselves). */
export const OUTPUT_SETS = ['movies', 'micrographs', 'ctf', 'particles', 'previews'] as const
