// The data the controller exports for the report site (report-site imports these types).
// ReportData: everything read from the project (in the export's worker only); `report.json`
// (SiteData: what the Astro pages read, bounded) is written atomically before each build;
// per-micrograph images and pages and the micrographs table's pages (made from the full rows) beside it.
// Units are in the field names' docs. Times are ms since the Unix epoch. Every string may come
// from files or users: the site escapes all of them.

export const REPORT_DATA_VERSION = 3

/** The file in the data folder that holds SiteData. */
export const REPORT_JSON = 'report.json'

export type SessionStateName = 'created' | 'scheduled' | 'running' | 'closed'

export interface ReportData {
  version: typeof REPORT_DATA_VERSION
  /** When this export was made. */
  generatedAt: number
  project: {name: string; title: string}
  session: ReportSession
  /** Acquisition parameters as configured in the workflow, with their units. */
  acquisition: LabelledValue[]
  /** For drawing CTF curves: kV, mm, fraction. */
  optics: {voltage: number; sphericalAberration: number; amplitudeContrast: number}
  steps: StepSummary[]
  alerts: ReportAlert[]
  /** Accepted/rejected per micrograph (controller/curation, thresholds in force); `available` false without curation. */
  curation: {available: boolean; accepted: number; rejected: number}
  micrographs: MicrographRow[]
  /** Distinct provenance records, referenced by index from MicrographRow.runs (most movies share them). */
  provenance: Provenance[]
  system: SystemPoint[]
  /** Per grid square, when EPU XML or SerialEM .mdoc sidecars were read (empty otherwise). */
  gridSquares: GridSquareSummary[]
}

/**
 * report.json, what the Astro pages read: bounded whatever the session's size (summaries,
 * binned charts, the newest table rows, an index of the table pages), so a rebuild costs the
 * same at 1,000 micrographs as at 100,000. Every micrograph's own data is on its pages.
 */
export interface SiteData {
  version: typeof REPORT_DATA_VERSION
  generatedAt: number
  project: ReportData['project']
  session: ReportSession
  acquisition: LabelledValue[]
  optics: ReportData['optics']
  steps: StepSummary[]
  /** Open alerts, and the newest resolved ones (at most SITE_RESOLVED_ALERTS of resolvedTotal). */
  alerts: {open: ReportAlert[]; resolved: ReportAlert[]; resolvedTotal: number}
  curation: ReportData['curation']
  gridSquares: GridSquareSummary[]
  counts: {micrographs: number; withMotion: number; withCtf: number; withPicks: number; particles: number}
  charts: SiteCharts
  table: TableIndex
}

/** Summaries of a value per time bin: what a chart over a whole session draws. */
export interface BinStats {
  /** Bin start (ms); the bin is [at, at + binMs). */
  at: number
  count: number
  min: number
  q1: number
  median: number
  q3: number
  max: number
}

/** A value over time: binned over the whole session, plus the newest points in full. */
export interface TimeSeries {
  name: string
  bins: BinStats[]
  /** The newest SITE_RECENT_POINTS values, oldest first. */
  recent: RecentPoint[]
}

export interface RecentPoint {
  at: number
  value: number
  /** The micrograph's (or host's) name, for the tooltip. */
  name: string
}

/** Counts per bin [x0, x0 + step); `recent`: how many of the newest SITE_RECENT_POINTS fell in it. */
export interface Histogram {
  step: number
  bins: {x0: number; count: number; recent: number}[]
  total: number
}

export interface SiteCharts {
  /** Width of the time bins (ms), the same for every time series of the micrographs. */
  binMs: number
  /** How many of the newest values each series shows in full (highlighted). */
  recentPoints: number
  ctf: {defocus: TimeSeries[]; resolution: TimeSeries[]; astigmatism: TimeSeries[]; resolutionHistogram: Histogram; defocusHistogram: Histogram
    /** Measured defocus (um) per nominal defocus bin (um), when sidecars gave nominal defocus. */
    nominal: {step: number; bins: (BinStats & {nominal: number})[]} | null}
  motion: {drift: TimeSeries[]; total: Histogram; early: Histogram; late: Histogram}
  picking: {perMicrograph: TimeSeries[]; cumulative: {at: number; value: number}[]}
  /** Per host, binned over the samples' times (systemBinMs wide). */
  systemBinMs: number
  system: {cpu: TimeSeries[]; memory: TimeSeries[]; disk: TimeSeries[]; gpu: TimeSeries[]; gpuMemory: TimeSeries[]}
}

/** One row of the micrographs table: sort keys and the text shown per column. */
export interface TableRow {
  id: number
  name: string
  images: MicrographRow['images']
  /** Sort keys (numbers; null sorts last) and shown text per column. */
  keys: Record<string, number | string | null>
  text: Record<string, string>
  accepted: boolean
  reason: string
}

/** The micrographs table: pages of a fixed number of rows in acquisition order (page 1 the oldest),
 *  written by the export; a page is remade only when one of its rows changes. */
export interface TableIndex {
  pageSize: number
  /** The newest pageSize rows, newest first (micrographs.html shows them). */
  latest: TableRow[]
  pages: TablePageSummary[]
}

export interface TablePageSummary {
  /** 1 = the oldest micrographs. */
  page: number
  /** Site-relative file of the page and of its rows' script. */
  href: string
  rows: number
  firstFoundAt: number
  lastFoundAt: number
  rejected: number
}

export interface ReportSession {
  state: SessionStateName
  createdAt: number | null
  scheduledAt: number | null
  startedAt: number | null
  inputClosedAt: number | null
  inputClosedReason: string | null
  closedAt: number | null
  /** The newest change of any result. */
  lastUpdateAt: number | null
}

export interface LabelledValue {
  label: string
  value: string
  unit: string
}

export interface StepSummary {
  step: string
  done: number
  failed: number
  running: number
  /** Finished per hour over the whole session, and over the last hour. */
  ratePerHour: number
  lastHourPerHour: number
  /** lastHour against the hour before: 'up' | 'down' | 'steady' (within 10 %), 'none' without data. */
  trend: 'up' | 'down' | 'steady' | 'none'
}

export interface ReportAlert {
  id: number
  at: number
  monitor: string
  severity: 'info' | 'warning' | 'critical'
  message: string
  movie: string | null
  value: number | null
  threshold: number | null
  resolvedAt: number | null
}

export interface MicrographRow {
  id: number
  /** The movie's file name (no folders). */
  name: string
  foundAt: number
  state: 'found' | 'processing' | 'done' | 'failed'
  failedStep: string | null
  error: string | null
  motion: MotionRow | null
  ctf: CtfRow | null
  picks: PicksRow | null
  /** Site-relative image paths (e.g. `images/12-preview.png`), null when not made (yet). */
  images: {preview: string | null; psd: string | null; picks: string | null; drift: string | null; ctf: string | null}
  /** null = not curated (still processing); rejectReason lists every threshold it failed. */
  accepted: boolean | null
  rejectReason: string | null
  /** From EPU XML / .mdoc sidecars when read (A, positive = underfocus). */
  nominalDefocus: number | null
  gridSquare: string | null
  /** Indexes into ReportData.provenance, one per step run at every version (the result history):
   *  pipeline order, then oldest version first. */
  runs: number[]
}

export interface MotionRow {
  finishedAt: number
  /** Accumulated motion (px of the movie): total, early (first 4 e/A^2), late. */
  total: number
  early: number
  late: number
  /** Micrograph pixel size (A/px). */
  pixelSize: number
  frames: number
  /** e/A^2 per frame. */
  dosePerFrame: number
  /** Per-frame shift applied (px), frame 1 = [0, 0]. */
  shifts: [number, number][]
}

export interface CtfRow {
  finishedAt: number
  /** A, U >= V, positive = underfocus. */
  defocusU: number
  defocusV: number
  /** degrees */
  defocusAngle: number
  /** |U - V| (A) */
  astigmatism: number
  /** degrees */
  phaseShift: number
  /** Fit resolution (A). */
  resolution: number
  figureOfMerit: number
}

export interface PicksRow {
  finishedAt: number
  count: number
  meanScore: number | null
  /** A */
  meanDiameter: number | null
}

/** Pick coordinates of one micrograph (the file images/<id>-picks.json). */
export interface PicksFile {
  /** Micrograph size (px): coordinates are in this frame. */
  width: number
  height: number
  /** [x = column, y = row] (px) */
  coordinates: [number, number][]
  /** Diameter of each pick (px), when known. */
  diameters: number[] | null
}

export interface Provenance {
  step: string
  /** Processing version (the workflow revision the run used); reruns add versions. */
  version: number
  /** Whether this run's result is the one shown and exported (its step's newest finished version);
   *  earlier versions stay as history. */
  current: boolean
  state: string
  attempt: number
  program: string | null
  programVersion: string | null
  argv: string[] | null
  /** The step's parameters as JSON text. */
  parameters: string | null
  startedAt: number | null
  endedAt: number | null
  host: string | null
  error: string | null
}

export interface SystemPoint {
  host: string
  at: number
  cpuPercent: number
  memoryUsedBytes: number
  memoryTotalBytes: number
  /** Used share of the fullest disk (%) and its free space (bytes). */
  diskUsedPercent: number | null
  diskFreeBytes: number | null
  /** Mean over GPUs (%, degrees C), null without GPUs. */
  gpuPercent: number | null
  gpuMemoryPercent: number | null
  gpuTemperatureC: number | null
}

export interface GridSquareSummary {
  gridSquare: string
  movies: number
  /** Mean CTF fit resolution (A). */
  meanResolution: number | null
  /** Rejected share (0..1). */
  rejectedShare: number
}
