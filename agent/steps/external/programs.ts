// The external programs emstream can drive: the command names they usually have, the
// environment variables RELION (and sites) use to point at them, and how to ask their version.

export type ExternalProgramId =
  | 'motioncor2'
  | 'motioncor3'
  | 'relion-motioncorr'
  | 'ctffind'
  | 'gctf'
  | 'relion-ctffind'
  | 'relion-log'
  | 'cryolo'

export interface ExternalProgramInfo {
  id: ExternalProgramId
  step: 'motion' | 'ctf' | 'picking'
  /** Command names tried on PATH, in order. */
  commands: string[]
  /** Environment variables that may name the executable (RELION's, then ours). */
  envVars: string[]
  /** Arguments that make it print its version and exit, and where the version is in the output. */
  versionArgs: string[]
  versionPattern: RegExp
  /** Runs on GPUs (asks for GPU slots). */
  gpu: boolean
  /** Other programs it drives (relion_run_ctffind runs CTFFIND). */
  needs?: ExternalProgramId[]
}

const RELION_VERSION = /RELION version:?\s*([\w.\-+]+)/i

export const EXTERNAL_PROGRAMS: Record<ExternalProgramId, ExternalProgramInfo> = {
  motioncor2: {
    id: 'motioncor2',
    step: 'motion',
    commands: ['MotionCor2', 'motioncor2'],
    envVars: ['RELION_MOTIONCOR2_EXECUTABLE', 'EMSTREAM_MOTIONCOR2'],
    versionArgs: ['--version'],
    versionPattern: /MotionCor2\s+version\s+([\w.\-]+)/i,
    gpu: true,
  },
  motioncor3: {
    id: 'motioncor3',
    step: 'motion',
    commands: ['MotionCor3', 'motioncor3'],
    envVars: ['EMSTREAM_MOTIONCOR3', 'RELION_MOTIONCOR2_EXECUTABLE'],
    versionArgs: ['--version'],
    versionPattern: /MotionCor3\s+version\s+([\w.\-]+)/i,
    gpu: true,
  },
  'relion-motioncorr': {
    id: 'relion-motioncorr',
    step: 'motion',
    commands: ['relion_run_motioncorr'],
    envVars: ['EMSTREAM_RELION_MOTIONCORR'],
    versionArgs: ['--version'],
    versionPattern: RELION_VERSION,
    gpu: false,
  },
  ctffind: {
    id: 'ctffind',
    step: 'ctf',
    commands: ['ctffind', 'ctffind5', 'ctffind4'],
    envVars: ['RELION_CTFFIND_EXECUTABLE', 'EMSTREAM_CTFFIND'],
    versionArgs: ['--version'],
    versionPattern: /(?:version\s+)?(\d+\.\d+\.\d+)/i,
    gpu: false,
  },
  gctf: {
    id: 'gctf',
    step: 'ctf',
    commands: ['Gctf', 'gctf'],
    envVars: ['RELION_GCTF_EXECUTABLE', 'EMSTREAM_GCTF'],
    // Gctf has no version flag; its banner (printed with any arguments) names the version.
    versionArgs: ['--help'],
    versionPattern: /Gctf\s+v?(\d+\.\d+\w*)/i,
    gpu: true,
  },
  'relion-ctffind': {
    id: 'relion-ctffind',
    step: 'ctf',
    commands: ['relion_run_ctffind'],
    envVars: ['EMSTREAM_RELION_CTFFIND'],
    versionArgs: ['--version'],
    versionPattern: RELION_VERSION,
    gpu: false,
    needs: ['ctffind'],
  },
  'relion-log': {
    id: 'relion-log',
    step: 'picking',
    commands: ['relion_autopick'],
    envVars: ['EMSTREAM_RELION_AUTOPICK'],
    versionArgs: ['--version'],
    versionPattern: RELION_VERSION,
    gpu: false,
  },
  cryolo: {
    id: 'cryolo',
    step: 'picking',
    commands: ['cryolo_predict.py'],
    envVars: ['EMSTREAM_CRYOLO_PREDICT'],
    versionArgs: ['--version'],
    versionPattern: /(?:crYOLO\s+)?(?:version\s+)?(\d+\.\d+(?:\.\d+)?)/i,
    gpu: true,
  },
}
