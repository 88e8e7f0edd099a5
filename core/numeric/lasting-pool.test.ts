// A step asking for its kernel pool on every movie gets the same workers back (never started and
// terminated per movie). That an idle, never-closed pool lets the process exit: worker-pool.test.ts.
import {describe, expect, it} from 'vitest'
import {lastingPool} from './lasting-pool.js'

const testTasks = new URL('./testing/pool-test-tasks.ts', import.meta.url)
const fftTasks = new URL('./fft-tasks.ts', import.meta.url)

const threadsOf = async (size: number) => {
  const pool = lastingPool([testTasks], size)
  const replies = await Promise.all(Array.from({length: 4}, (_, i) => pool.run<{threadId: number}>('describeThread', {tag: `t${i}`})))
  return new Set(replies.map((r) => r.threadId))
}

describe('lastingPool', () => {
  it('gives the same pool and threads for the same modules and size, another for another size or modules', async () => {
    expect(lastingPool([testTasks], 2)).toBe(lastingPool([new URL(testTasks.href)], 2))
    expect(lastingPool([testTasks], 1)).not.toBe(lastingPool([testTasks], 2))
    expect(lastingPool([testTasks, fftTasks], 2)).not.toBe(lastingPool([testTasks], 2))
    const first = await threadsOf(2)
    const second = await threadsOf(2)
    expect(second).toEqual(first)
  })

})
