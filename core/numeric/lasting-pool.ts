// Worker pools made once per thread and kept: a step that needs kernel threads for every movie
// reuses them instead of starting and terminating workers per movie. Terminating a worker while
// V8 optimises code in it aborts Node 20 (NodePlatform::ForIsolate assertion, SIGABRT); starting
// them per movie also paid their start-up each time. Idle pools hold no event loop (worker-pool.ts).
import {WorkerPool} from './worker-pool.js'

const pools = new Map<string, WorkerPool>()

/** The thread's pool for these task modules and size, made on first use and never closed. */
export function lastingPool(modules: URL[], size: number): WorkerPool {
  const key = `${size} ${modules.map((m) => m.href).join(' ')}`
  let pool = pools.get(key)
  if (!pool) {
    pool = new WorkerPool({modules, size})
    pools.set(key, pool)
  }
  return pool
}
