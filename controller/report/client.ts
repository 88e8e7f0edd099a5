// Asks a serving controller to build a project's report now (POST /report/<project>/build).
import {REPORT_PATH} from './live.js'

/** Resolves with the absolute path of the built index.html. */
export async function requestReportBuild(controllerUrl: string, project: string): Promise<string> {
  const url = new URL(`${REPORT_PATH}${encodeURIComponent(project)}/build`, controllerUrl)
  const response = await fetch(url, {method: 'POST'})
  const body = (await response.json()) as {index?: string; error?: string}
  if (!response.ok || !body.index) throw new Error(`report of ${project}: ${body.error ?? `HTTP ${response.status}`}`)
  return body.index
}
