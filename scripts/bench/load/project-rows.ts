// What a project holds, read back from disk with the controller's own code (snapshot + journal),
// to check that every event sent is in it exactly once.
import {Project} from '../../../controller/project/project.js'
import {projectLayout} from '../../../controller/project/layout.js'

export interface ProjectRows {
  /** Movie rows, and distinct movie ids among them. */
  movies: number
  distinctMovies: number
  /** Step runs finished (state done), one per (movie, step, version). */
  stepsDone: number
  systemSamples: number
  /** Applied seq per agent. */
  lastSeq: Map<string, number>
  micrographs: number
}

export async function readProjectRows(projectsDir: string, name: string): Promise<ProjectRows> {
  const project = await Project.open(projectLayout(projectsDir, name), {readOnly: true})
  try {
    const one = (sql: string) => Number(project.db.exec(sql)[0]?.values[0]?.[0] ?? 0)
    const seqs = project.db.exec('SELECT agent_id, last_seq FROM agents')[0]?.values ?? []
    return {
      movies: one('SELECT count(*) FROM movies'),
      distinctMovies: one('SELECT count(DISTINCT movie) FROM movies'),
      stepsDone: one("SELECT count(*) FROM step_runs WHERE state = 'done'"),
      systemSamples: one('SELECT count(*) FROM system_samples'),
      micrographs: one('SELECT count(*) FROM micrographs'),
      lastSeq: new Map(seqs.map(([agent, seq]) => [String(agent), Number(seq)])),
    }
  } finally {
    await project.close()
  }
}
