/** Tasks that exercise WorkerPool's paths (results, thrown errors, dying workers, shared memory). */
import {threadId} from 'node:worker_threads'

export function describeThread(payload: {tag: string}): {tag: string; threadId: number} {
  return {tag: payload.tag, threadId}
}

export function fail(payload: {message: string}): never {
  throw new RangeError(payload.message)
}

export function exitWorker(): void {
  process.exit(3)
}

/** Writes value into shared[index] and waits until every slot is set: proves tasks overlap and share memory. */
export function fillAndWaitForAll(payload: {shared: Int32Array; index: number}): number {
  Atomics.store(payload.shared, payload.index, 1)
  Atomics.notify(payload.shared, payload.index)
  for (let i = 0; i < payload.shared.length; i++) {
    while (Atomics.load(payload.shared, i) === 0) Atomics.wait(payload.shared, i, 0, 5000)
  }
  return payload.index
}

export async function later(payload: {value: number}): Promise<number> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  return payload.value * 2
}
