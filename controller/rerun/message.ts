import type {RerunMessage} from '../../core/protocol/index.js'
import type {RerunRequest} from '../project/records.js'

/** The protocol message that delivers a rerun request to an agent. */
export function rerunMessage(r: RerunRequest): RerunMessage {
  return {type: 'rerun', id: r.id, steps: r.steps, movies: r.movies, revision: r.revision, workflow: r.workflow}
}
