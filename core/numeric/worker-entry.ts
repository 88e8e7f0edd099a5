/**
 * Worker thread body for WorkerPool: imports the task modules named in workerData, then runs
 * one request at a time and replies with its result or its error.
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {TaskRequest, WorkerMessage} from './worker-messages.js'

type Task = (payload: unknown) => unknown

async function loadTasks(modules: string[]): Promise<Map<string, Task>> {
  const tasks = new Map<string, Task>()
  for (const url of modules) {
    let exports: Record<string, unknown>
    try {
      exports = (await import(url)) as Record<string, unknown>
    } catch (error) {
      throw new Error(`cannot import task module ${url}: ${error instanceof Error ? error.message : String(error)}`)
    }
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function') tasks.set(name, value as Task)
    }
  }
  return tasks
}

async function runRequest(tasks: Promise<Map<string, Task>>, request: TaskRequest): Promise<WorkerMessage> {
  try {
    const table = await tasks
    const task = table.get(request.task)
    if (!task) throw new Error(`no task named '${request.task}' (known: ${[...table.keys()].join(', ') || 'none'})`)
    return {kind: 'reply', id: request.id, ok: true, result: await task(request.payload)}
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error))
    return {kind: 'reply', id: request.id, ok: false, message: e.message, stack: e.stack}
  }
}

const port = parentPort
if (!port) throw new Error('worker-entry must run inside a worker thread')
const tasks = loadTasks((workerData as {modules: string[]}).modules)
port.on('message', (request: TaskRequest) => {
  void runRequest(tasks, request).then((reply) => port.postMessage(reply))
})
void tasks.then(
  () => port.postMessage({kind: 'ready'} satisfies WorkerMessage),
  () => port.postMessage({kind: 'ready'} satisfies WorkerMessage),
)
