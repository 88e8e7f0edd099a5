import {describe, expect, it} from 'vitest'
import {ConcurrencyLimit} from './concurrency-limit.js'

/** A task that resolves (or rejects) when told to, recording its start. */
function gate() {
  let open!: () => void
  let fail!: (e: Error) => void
  const done = new Promise<void>((resolve, reject) => ([open, fail] = [resolve, reject]))
  return {done, open: () => open(), fail: (e: Error) => fail(e)}
}

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(2)
    const gates = Array.from({length: 5}, gate)
    const started: number[] = []
    const runs = gates.map((g, i) => limit.run(async () => {
      started.push(i)
      await g.done
      return i
    }))
    await Promise.resolve()
    expect([started, limit.running, limit.queued]).toEqual([[0, 1], 2, 3])
    gates[1].open()
    await runs[1]
    await Promise.resolve()
    expect(started).toEqual([0, 1, 2])
    expect(limit.running).toBe(2)
    for (const g of gates) g.open()
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4])
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect([limit.running, limit.queued]).toEqual([0, 0])
  })

  it('frees the slot of a task that fails and passes its error on', async () => {
    const limit = new ConcurrencyLimit(1)
    const first = gate()
    const failing = limit.run(() => first.done)
    const after = limit.run(async () => 'ran')
    first.fail(new Error('unreadable'))
    await expect(failing).rejects.toThrow('unreadable')
    expect(await after).toBe('ran')
    expect(limit.running).toBe(0)
  })

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(/positive integer, got 0/)
    expect(() => new ConcurrencyLimit(1.5)).toThrow(/positive integer/)
  })
})
