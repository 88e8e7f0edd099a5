import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {Batcher} from './batch.js'

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function setUp(size: number, waitMs: number, capacity = () => true) {
    const sent: string[][] = []
    const batcher = new Batcher<string>({size, waitMs, capacity, flush: (items) => sent.push(items)})
    return {batcher, sent}
  }

  it('sends a full batch at once and a partial one after the wait', () => {
    const {batcher, sent} = setUp(3, 1000)
    for (const m of ['a', 'b', 'c', 'd']) batcher.add([m])
    expect(sent).toEqual([['a', 'b', 'c']])
    vi.advanceTimersByTime(999)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([['a', 'b', 'c'], ['d']])
    expect(batcher.pending).toBe(0)
  })

  it('times the wait from the oldest item still waiting', () => {
    const {batcher, sent} = setUp(2, 1000)
    batcher.add(['a'])
    vi.advanceTimersByTime(600)
    batcher.add(['b'])
    batcher.add(['c'])
    expect(sent).toEqual([['a', 'b']])
    vi.advanceTimersByTime(999)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([['a', 'b'], ['c']])
  })

  it('sends urgent items together without waiting', () => {
    const {batcher, sent} = setUp(4, 60_000)
    batcher.add(['x', 'y'], true)
    expect(sent).toEqual([['x', 'y']])
  })

  it('holds due batches while there is no capacity, until drained', () => {
    let free = false
    const {batcher, sent} = setUp(2, 100, () => free)
    batcher.add(['a', 'b', 'c'])
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual([])
    free = true
    batcher.drain()
    expect(sent).toEqual([['a', 'b'], ['c']])
  })

  it('takes back a removed item', () => {
    const {batcher, sent} = setUp(2, 100)
    batcher.add(['a'])
    expect(batcher.remove('a')).toBe(true)
    expect(batcher.remove('a')).toBe(false)
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual([])
  })
})
