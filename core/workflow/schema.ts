// The workflow format, written once in TypeBox: the TypeScript types (types.ts) and the JSON
// Schema file editors complete from (workflows/workflow.schema.json, generated from this by
// `npx tsx core/workflow/write-schema.ts`) both come from these definitions.
import {Type, type TLiteral, type TSchema, type TUnion} from '@sinclair/typebox'
import {ExecutorSchema} from './executor.js'

/** A choice of literals (json-schema.ts writes it as `enum`, which editors list). */
function Choice<T extends (string | number)[]>(values: readonly [...T], options: {description: string; default?: T[number]}) {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<{[K in keyof T]: TLiteral<T[K]>}>
}

function Section<T extends Record<string, TSchema>>(properties: T, description: string) {
  return Type.Object(properties, {additionalProperties: false, description, default: {}})
}

const positive = (description: string, extra: object = {}) => Type.Number({exclusiveMinimum: 0, description, ...extra})
const count = (description: string, minimum: number, def: number) => Type.Integer({minimum, default: def, description})
const threads = () => count('CPU threads this step may use per movie.', 1, 1)
const gpus = () =>
  Type.Array(Type.Integer({minimum: 0}), {default: [], uniqueItems: true, description: 'GPU ids this step may use (empty = CPU only).'})
/** How long one run of the step may take and how often a failed run is tried again. */
const runControl = () => ({
  timeoutSeconds: Type.Number({exclusiveMinimum: 0, default: 1800, description: 'An external program run is killed after this long (s).'}),
  retries: Type.Optional(
    Type.Integer({minimum: 0, maximum: 20, description: "Times a failed run of this step is tried again before the movie fails (default: the agent's --attempts - 1)."}),
  ),
  retryBackoffSeconds: Type.Number({minimum: 0, default: 0, description: 'Wait this long before trying a failed run again (s); doubled on each further try.'}),
  executor: Type.Optional(ExecutorSchema),
})
const extraArgs = () => Type.Array(Type.String(), {default: [], description: 'Extra command-line arguments for an external program.'})
const executable = () =>
  Type.Optional(Type.String({minLength: 1, description: 'Path or name of the external program (default: the usual command name on PATH).'}))

export const MOTION_PROGRAMS = ['builtin', 'relion', 'motioncor2', 'motioncor3'] as const
export const CTF_PROGRAMS = ['builtin', 'ctffind', 'gctf', 'relion-ctffind'] as const
export const PICKING_PROGRAMS = ['builtin', 'relion-log', 'cryolo'] as const

export const AcquisitionSchema = Type.Object(
  {
    inputFolder: Type.String({minLength: 1, description: 'Folder the microscope writes movies into.'}),
    filePatterns: Type.Array(Type.String({minLength: 1}), {
      minItems: 1,
      default: ['*.mrc', '*.mrcs', '*.tif', '*.tiff', '*.eer'],
      description: 'Glob patterns (relative to inputFolder) of the movies to process.',
    }),
    recursive: Type.Boolean({default: false, description: 'Also look in sub-folders of inputFolder.'}),
    pixelSize: positive('Pixel size of the movies (A/px), before any binning.', {maximum: 20}),
    voltage: positive('Acceleration voltage (kV).', {maximum: 1000}),
    sphericalAberration: Type.Number({minimum: 0, maximum: 10, description: 'Spherical aberration Cs (mm).'}),
    amplitudeContrast: Type.Number({minimum: 0, maximum: 1, default: 0.1, description: 'Amplitude contrast fraction (0.07-0.1 for cryo samples).'}),
    dosePerFrame: positive('Electron dose per movie frame (e/A^2); for EER, per rendered (grouped) frame.', {maximum: 100}),
    preExposure: Type.Number({minimum: 0, default: 0, description: 'Dose received before the first frame (e/A^2).'}),
    gainReference: Type.Optional(Type.String({minLength: 1, description: 'Gain reference (MRC) the frames are multiplied by.'})),
    gainRotation: count('Gain reference rotation, RELION --gain_rot: 0 none, 1 90, 2 180, 3 270 degrees clockwise.', 0, 0),
    gainFlip: count('Gain reference flip, RELION --gain_flip: 0 none, 1 upside down, 2 left to right.', 0, 0),
    defectFile: Type.Optional(Type.String({minLength: 1, description: 'Camera defect file (text x y w h per line, or an MRC mask).'})),
    eerUpsampling: Choice([1, 2, 4], {default: 1, description: 'EER rendering: 1 = 4K, 2 = 8K, 4 = 16K.'}),
    eerGrouping: count('EER hardware frames summed into one rendered frame.', 1, 40),
  },
  {additionalProperties: false, description: 'The microscope and camera settings of the session, and where the movies appear.'},
)
// gainRotation / gainFlip have upper bounds too (kept out of the helper for readability).
AcquisitionSchema.properties.gainRotation.maximum = 3
AcquisitionSchema.properties.gainFlip.maximum = 2

export const MotionSchema = Section(
  {
    program: Choice([...MOTION_PROGRAMS], {default: 'builtin', description: 'Motion correction program.'}),
    executable: executable(),
    binning: Type.Number({minimum: 1, default: 1, description: 'Fourier binning factor of the output micrograph.'}),
    firstFrame: count('First frame to sum (1-based).', 1, 1),
    lastFrame: count('Last frame to sum (1-based); 0 = the last frame of the movie.', 0, 0),
    patchesX: count('Patches along x for local motion (1 = global only).', 1, 1),
    patchesY: count('Patches along y for local motion (1 = global only).', 1, 1),
    bfactor: Type.Number({minimum: 0, default: 150, description: 'B-factor applied to frames for alignment (pix^2).'}),
    groupFrames: count('Frames averaged per alignment group.', 1, 1),
    maxIterations: count('Maximum alignment iterations.', 1, 10),
    doseWeighting: Type.Boolean({default: true, description: 'Write the dose-weighted sum.'}),
    saveNoDoseWeighting: Type.Boolean({default: false, description: 'Also write the sum without dose weighting.'}),
    threads: threads(),
    gpus: gpus(),
    extraArgs: extraArgs(),
    ...runControl(),
  },
  'Motion correction: movie -> aligned, dose-weighted micrograph.',
)

export const CtfSchema = Section(
  {
    program: Choice([...CTF_PROGRAMS], {default: 'builtin', description: 'CTF estimation program.'}),
    executable: executable(),
    boxSize: count('Power spectrum box size (px).', 64, 512),
    minResolution: positive('Lowest resolution used in the fit (A).', {default: 30}),
    maxResolution: positive('Highest resolution used in the fit (A).', {default: 5}),
    defocusMin: Type.Number({minimum: 0, default: 5000, description: 'Lowest defocus searched (A, positive = underfocus).'}),
    defocusMax: positive('Highest defocus searched (A).', {default: 50000}),
    defocusStep: positive('Defocus search step (A).', {default: 500}),
    findPhaseShift: Type.Boolean({default: false, description: 'Fit an additional phase shift (phase plate).'}),
    phaseShiftMin: Type.Number({default: 0, description: 'Lowest phase shift searched (degrees).'}),
    phaseShiftMax: Type.Number({default: 180, description: 'Highest phase shift searched (degrees).'}),
    phaseShiftStep: positive('Phase shift search step (degrees).', {default: 10}),
    threads: threads(),
    gpus: gpus(),
    extraArgs: extraArgs(),
    ...runControl(),
  },
  'CTF estimation on each motion-corrected micrograph.',
)

export const PickingSchema = Section(
  {
    enabled: Type.Boolean({default: true, description: 'Pick particles.'}),
    program: Choice([...PICKING_PROGRAMS], {default: 'builtin', description: 'Template-free picking program.'}),
    executable: executable(),
    diameterMin: positive('Smallest particle diameter searched (A).', {default: 100}),
    diameterMax: positive('Largest particle diameter searched (A).', {default: 200}),
    threshold: Type.Number({default: 0, description: 'Threshold adjustment in standard deviations (RELION --LoG_adjust_threshold).'}),
    lowpass: positive('Low-pass filter before picking (A).', {default: 20}),
    maxParticles: Type.Optional(Type.Integer({minimum: 1, description: 'Keep at most this many best picks per micrograph.'})),
    cryolo: Section(
      {
        config: Type.Optional(Type.String({minLength: 1, description: 'crYOLO config.json (required for program "cryolo").'})),
        weights: Type.Optional(Type.String({minLength: 1, description: 'crYOLO model weights, .h5 (required for program "cryolo").'})),
        threshold: Type.Number({minimum: 0, maximum: 1, default: 0.3, description: 'crYOLO confidence threshold (-t).'}),
      },
      'crYOLO settings (program "cryolo").',
    ),
    threads: threads(),
    gpus: gpus(),
    extraArgs: extraArgs(),
    ...runControl(),
  },
  'Template-free particle picking.',
)

export const PreviewSchema = Section(
  {
    enabled: Type.Boolean({default: true, description: 'Write report previews (micrograph, PSD, drift).'}),
    size: count('Longest side of the micrograph preview (px).', 64, 512),
    executor: Type.Optional(ExecutorSchema),
  },
  'Per-movie preview images for the report.',
)

export const MonitorsSchema = Section(
  {
    ctf: Section(
      {
        enabled: Type.Boolean({default: true}),
        maxAstigmatism: positive('Alert when defocusU - defocusV exceeds this (A).', {default: 2000}),
        maxDefocus: positive('Alert when defocusU exceeds this (A).', {default: 40000}),
        minDefocus: Type.Number({minimum: 0, default: 1000, description: 'Alert when defocusV is below this (A).'}),
        maxResolution: positive('Alert when the CTF fit resolution is worse (larger) than this (A).', {default: 8}),
        window: count('Number of recent micrographs a monitor summarises.', 1, 50),
      },
      'CTF quality monitor.',
    ),
    motion: Section(
      {
        enabled: Type.Boolean({default: true}),
        maxTotalMotion: positive('Alert when the accumulated total motion exceeds this (px).', {default: 50}),
        maxEarlyMotion: positive('Alert when the early motion (first 4 e/A^2) exceeds this (px).', {default: 20}),
        window: count('Number of recent micrographs a monitor summarises.', 1, 50),
      },
      'Drift monitor.',
    ),
    picking: Section(
      {
        enabled: Type.Boolean({default: true}),
        minParticles: Type.Integer({minimum: 0, default: 10, description: 'Alert when a micrograph has fewer picks.'}),
        window: count('Number of recent micrographs a monitor summarises.', 1, 50),
      },
      'Picking monitor.',
    ),
    acquisition: Section(
      {
        enabled: Type.Boolean({default: true}),
        maxIdleMinutes: positive('Alert when no new movie appeared for this long (minutes).', {default: 25}),
        maxFailureRate: Type.Number({minimum: 0, maximum: 1, default: 0.1, description: 'Alert when this fraction of recent movies failed.'}),
        minMoviesPerHour: Type.Number({minimum: 0, default: 0, description: 'Alert when fewer movies than this arrived in the last hour (0 = off).'}),
        minHoursUntilDiskFull: Type.Number({minimum: 0, default: 6, description: 'Alert when the output disk fills within this many hours at the current rate.'}),
        window: count('Number of recent movies the failure rate is taken over.', 1, 50),
      },
      'Acquisition rate and failure monitor.',
    ),
    system: Section(
      {
        enabled: Type.Boolean({default: false}),
        maxCpuPercent: Type.Number({minimum: 0, maximum: 100, default: 95}),
        maxMemoryPercent: Type.Number({minimum: 0, maximum: 100, default: 90}),
        minDiskFreeGB: Type.Number({minimum: 0, default: 50}),
        maxGpuTemperature: Type.Number({minimum: 0, default: 85, description: 'Degrees Celsius.'}),
        // Monitors engineer: the thresholds below and the gain, agents and notifications sections.
        maxSwapGB: Type.Number({minimum: 0, default: 8, description: 'Alert when more swap than this is in use (GB).'}),
        maxLoadAverage: Type.Number({minimum: 0, default: 0, description: 'Alert when the 1-minute load average exceeds this (0 = off).'}),
        maxGpuMemoryPercent: Type.Number({minimum: 0, maximum: 100, default: 98}),
        minGpuUtilizationPercent: Type.Number({
          minimum: 0,
          maximum: 100,
          default: 0,
          description: 'Alert when a GPU is busier than nothing but below this while movies are being processed (0 = off).',
        }),
      },
      'Agent host load monitor (off by default, as in Scipion).',
    ),
    gain: Section(
      {
        enabled: Type.Boolean({default: true}),
        maxStd: positive('Alert when the residual gain standard deviation exceeds this (Scipion: 0.04).', {default: 0.04}),
        maxPercentileRatio: positive('Alert when residual gain p97.5 / p2.5 exceeds this (Scipion: 1.15).', {default: 1.15}),
        maxPeakRatio: positive('Alert when residual gain max / p97.5 exceeds this (Scipion: 4.5).', {default: 4.5}),
        checkOrientation: Type.Boolean({default: true, description: 'Alert when motion correction finds the gain reference wrongly oriented.'}),
        window: count('Number of recent movies a monitor summarises.', 1, 20),
      },
      'Residual gain monitor (statistics measured per movie by motion correction).',
    ),
    agents: Section(
      {
        enabled: Type.Boolean({default: true}),
        maxSilenceSeconds: positive('Alert when a connected agent has sent nothing (events or samples) for this long (s).', {default: 180}),
      },
      'Agent connection monitor.',
    ),
    notifications: Section(
      {
        email: Type.Optional(
          Type.Object(
            {
              host: Type.String({minLength: 1, description: 'SMTP server host.'}),
              port: Type.Integer({minimum: 1, maximum: 65535, default: 25}),
              secure: Type.Boolean({default: false, description: 'TLS from the start (port 465); otherwise STARTTLS when offered.'}),
              user: Type.Optional(Type.String({minLength: 1})),
              passwordEnv: Type.Optional(Type.String({minLength: 1, description: 'Environment variable holding the SMTP password.'})),
              from: Type.String({minLength: 3}),
              to: Type.Array(Type.String({minLength: 3}), {minItems: 1}),
            },
            {additionalProperties: false, description: 'Send alerts by e-mail.'},
          ),
        ),
        webhook: Type.Optional(
          Type.Object(
            {url: Type.String({minLength: 1, description: 'Slack or Mattermost incoming-webhook URL (JSON POST with "text").'})},
            {additionalProperties: false, description: 'Post alerts to a chat channel.'},
          ),
        ),
        minIntervalMinutes: Type.Number({minimum: 0, default: 30, description: 'The same alert is sent again at most this often (minutes).'}),
        maxPerHour: Type.Integer({minimum: 1, default: 30, description: 'At most this many notifications per channel per hour.'}),
      },
      'Where alerts are sent.',
    ),
  },
  'Monitors and the thresholds at which they raise alerts.',
)

export const ReportSchema = Section(
  {
    enabled: Type.Boolean({default: true, description: 'Build the static report during the session.'}),
    title: Type.Optional(Type.String({description: 'Report title (default: the project name).'})),
    intervalSeconds: Type.Number({minimum: 5, default: 60, description: 'Rebuild the report at most this often (s).'}),
    publishTarget: Type.Optional(Type.String({minLength: 1, description: 'rsync destination the built report is published to.'})),
  },
  'The live static report.',
)

export const ResourcesSchema = Section(
  {
    allowGpuSharing: Type.Boolean({default: false, description: 'Let concurrent runs share a GPU id (otherwise each run holds its GPUs alone).'}),
    jobsPerGpu: count('With allowGpuSharing, at most this many runs share one GPU.', 1, 2),
  },
  'How the agent shares its GPUs between concurrent step runs.',
)

export const SessionSchema = Section(
  {
    idleTimeoutHours: positive('Close the session after this long without a new movie (hours).', {default: 12}),
  },
  'Session life cycle.',
)

export const WorkflowSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({description: 'Path of the JSON Schema, for editors.'})),
    name: Type.Optional(Type.String({description: 'A short name of this workflow.'})),
    description: Type.Optional(Type.String()),
    acquisition: AcquisitionSchema,
    motion: MotionSchema,
    ctf: CtfSchema,
    picking: PickingSchema,
    preview: PreviewSchema,
    resources: ResourcesSchema,
    monitors: MonitorsSchema,
    report: ReportSchema,
    session: SessionSchema,
  },
  {
    $id: 'https://emstream.dev/workflow.schema.json',
    title: 'emstream workflow',
    description: 'One streaming pre-processing session: acquisition, steps, monitors and report.',
    additionalProperties: false,
  },
)
