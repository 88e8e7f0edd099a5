// `agent start --path-map SHARED=LOCAL`: an agent that sees the session's files under another
// mount path (the camera PC's /mnt/krios is this GPU box's /data/krios). The workflow's paths are
// read through the map; the paths this agent reports go back through it, so that the controller
// names a file the same whichever agent reports it. Movie ids are session-relative already.
import {posix} from 'node:path'
import type {Workflow} from '../../core/workflow/types.js'

export interface PathPrefix {
  /** The prefix as the workflow and the controller name it. */
  shared: string
  /** Where this agent sees it. */
  local: string
}

export class PathMapError extends Error {
  constructor(
    readonly entry: string,
    readonly problem: string,
  ) {
    super(`--path-map ${JSON.stringify(entry)}: ${problem}`)
    this.name = 'PathMapError'
  }
}

/** "SHARED=LOCAL" entries, both absolute folders. */
export function parsePathMap(entries: string[]): PathPrefix[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=')
    if (at < 0) throw new PathMapError(entry, 'must be SHARED=LOCAL, e.g. /mnt/krios=/data/krios')
    const [shared, local] = [entry.slice(0, at), entry.slice(at + 1)].map((p) => posix.normalize(p).replace(/(.)\/+$/, '$1'))
    for (const p of [shared, local]) if (!posix.isAbsolute(p)) throw new PathMapError(entry, `${JSON.stringify(p)} is not an absolute path`)
    return {shared, local}
  })
}

/** The path with its longest matching prefix (a whole folder name) replaced; unchanged when none matches. */
function replacePrefix(path: string, pairs: [string, string][]): string {
  let best: [string, string] | undefined
  for (const pair of pairs) {
    const [from] = pair
    const matches = path === from || path.startsWith(from === '/' ? '/' : `${from}/`)
    if (matches && (!best || from.length > best[0].length)) best = pair
  }
  if (!best) return path
  const [from, to] = best
  const rest = path.slice(from.length).replace(/^\/?/, '')
  return rest === '' ? to : posix.join(to, rest)
}

export function toLocal(map: PathPrefix[], path: string): string {
  return replacePrefix(path, map.map((p) => [p.shared, p.local]))
}

export function toShared(map: PathPrefix[], path: string): string {
  return replacePrefix(path, map.map((p) => [p.local, p.shared]))
}

/** The workflow with the files it names (input folder, gain reference, defect file) as this agent sees them. */
export function localWorkflow(workflow: Workflow, map: PathPrefix[]): Workflow {
  if (map.length === 0) return workflow
  const a = workflow.acquisition
  return {
    ...workflow,
    acquisition: {
      ...a,
      inputFolder: toLocal(map, a.inputFolder),
      ...(a.gainReference !== undefined ? {gainReference: toLocal(map, a.gainReference)} : {}),
      ...(a.defectFile !== undefined ? {defectFile: toLocal(map, a.defectFile)} : {}),
    },
  }
}
