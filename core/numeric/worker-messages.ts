/** Messages between WorkerPool and worker-entry. */
export interface TaskRequest {
  id: number
  task: string
  payload: unknown
}

export type TaskReply = {id: number; ok: true; result: unknown} | {id: number; ok: false; message: string; stack?: string}

/** Worker to pool: 'ready' once the task modules were imported (or failed to be; requests then fail). */
export type WorkerMessage = {kind: 'ready'} | ({kind: 'reply'} & TaskReply)
