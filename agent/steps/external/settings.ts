// How a workflow asks for an external program to run one step: which executable, on which
// GPUs, with which extra arguments, for how long at most.

export interface ExternalSettings {
  /** Path or command name; empty = locate it (environment variables, then PATH). */
  executable?: string
  /** GPU ids granted to this run (the pipeline's GPU slots). */
  gpuIds: number[]
  /** Extra arguments the workflow adds verbatim (as argv items, never through a shell). */
  extraArgs: string[]
  /** The run is killed after this long (s). */
  timeoutSeconds: number
}

export const defaultExternalSettings: ExternalSettings = {gpuIds: [], extraArgs: [], timeoutSeconds: 1800}
