import {describe, expect, it} from 'vitest'
import {LeaseTable, type LeaseNotice} from './lease-table.js'

const timing = {durationMs: 10_000, graceMs: 3_000}

/** Movies granted per agent in these notices. */
function grants(notices: LeaseNotice[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const n of notices) if (n.granted.length > 0) (out[n.agent] ??= []).push(...n.granted)
  return out
}

/** Two connected agents with 2 slots each. */
function twoAgents(): LeaseTable {
  const table = new LeaseTable(timing)
  table.connected('a', 0)
  table.connected('b', 0)
  table.heartbeat('a', 2, 0)
  table.heartbeat('b', 2, 0)
  return table
}

describe('lease table', () => {
  it('leases each movie to one agent, split by free slots, oldest first', () => {
    const table = twoAgents()
    const movies = ['m1', 'm2', 'm3', 'm4', 'm5']
    const fromA = table.offered('a', movies, 1)
    const fromB = table.offered('b', movies, 2)
    // a offered first and fills its slots; what it has no room for waits for b.
    expect(grants(fromA)).toEqual({a: ['m1', 'm2']})
    expect(grants(fromB)).toEqual({b: ['m3', 'm4']})
    // m5 waits: nobody has a free slot. It goes to whoever frees one first.
    expect(grants(table.finished('m3'))).toEqual({b: ['m5']})
    expect(table.holder('m5')).toBe('b')
    expect(table.heldBy('a')).toEqual(['m1', 'm2'])
  })

  it('leases a movie only to an agent that offered it', () => {
    const table = twoAgents()
    expect(grants(table.offered('a', ['only-a1', 'only-a2', 'only-a3'], 1))).toEqual({a: ['only-a1', 'only-a2']})
    expect(grants(table.heartbeat('b', 5, 2))).toEqual({})
    expect(table.holder('only-a3')).toBeUndefined()
  })

  it('gives nothing to an agent that never sent a heartbeat (one that takes every movie it finds)', () => {
    const table = new LeaseTable(timing)
    table.connected('solo', 0)
    expect(table.offered('solo', ['m1'], 1)).toEqual([])
    expect(table.idle()).toBe(false)
  })

  it('re-leases a disconnected agent\'s movies to another after the grace, and tells it when it is back', () => {
    const table = twoAgents()
    const movies = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']
    table.offered('a', movies, 1)
    table.offered('b', movies, 1)
    expect([table.heldBy('a'), table.heldBy('b')]).toEqual([['m1', 'm2'], ['m3', 'm4']])
    table.disconnected('a', 100)
    // Within the grace nothing moves, even as b frees a slot.
    expect(grants(table.tick(100 + timing.graceMs - 1))).toEqual({})
    expect(grants(table.finished('m3'))).toEqual({b: ['m5']})
    expect(table.nextDeadline()).toBe(100 + timing.graceMs)
    // Past it, a's movies go to the head of the queue, ahead of m6.
    expect(grants(table.tick(100 + timing.graceMs))).toEqual({})
    expect(table.holder('m1')).toBeUndefined()
    expect(grants(table.finished('m4'))).toEqual({b: ['m1']})
    expect(grants(table.finished('m5'))).toEqual({b: ['m2']})
    expect(table.holder('m6')).toBeUndefined()
    // a comes back: it learns that m1 and m2 are b's now, and may take m6 (its offer was withdrawn: it offers again).
    expect(table.connected('a', 5_000)).toEqual([{agent: 'a', granted: [], gone: [], revoked: ['m1', 'm2']}])
    expect(table.offered('a', ['m6'], 5_001)).toEqual([{agent: 'a', granted: ['m6'], gone: [], revoked: []}])
  })

  it('expires the leases of a connected agent that went silent, and gives it no new ones until it speaks', () => {
    const table = new LeaseTable(timing)
    table.connected('a', 0)
    table.connected('b', 0)
    table.heartbeat('a', 1, 0)
    table.heartbeat('b', 2, 0)
    table.offered('a', ['m1', 'm2', 'm3'], 0)
    table.offered('b', ['m1', 'm2'], 0)
    expect([table.holder('m1'), table.holder('m2'), table.holder('m3')]).toEqual(['a', 'b', undefined])
    table.heartbeat('b', 2, 9_000)
    expect(grants(table.tick(10_000))).toEqual({b: ['m1']})
    // a has a free slot again and offered m3, but it is silent: m3 waits until a is heard from.
    expect(table.holder('m3')).toBeUndefined()
    expect(grants(table.heartbeat('a', 1, 10_500))).toEqual({a: ['m3']})
  })

  it('tells a silent agent, at its next word, which of its movies went elsewhere, and leases it new ones again', () => {
    const table = new LeaseTable(timing)
    table.connected('a', 0)
    table.connected('b', 0)
    table.heartbeat('a', 1, 0)
    table.heartbeat('b', 1, 0)
    table.offered('a', ['m1', 'm2'], 0)
    table.offered('b', ['m1', 'm2'], 0)
    table.heartbeat('b', 1, 9_000)
    // a hangs with m1: it expires, b finishes m2 and takes m1.
    table.tick(10_000)
    expect(grants(table.finished('m2'))).toEqual({b: ['m1']})
    expect(table.seen('a', 11_000)).toEqual([{agent: 'a', granted: [], gone: [], revoked: ['m1']}])
    // Told once; its slot takes new work again.
    expect(table.seen('a', 12_000)).toEqual([])
    expect(table.offered('a', ['m3'], 12_000)).toEqual([{agent: 'a', granted: ['m3'], gone: [], revoked: []}])
  })

  it('renews leases on any word from the agent', () => {
    const table = twoAgents()
    table.offered('a', ['m1'], 0)
    table.offered('b', ['m1'], 0)
    for (let t = 2_000; t <= 30_000; t += 2_000) {
      table.seen('a', t)
      table.seen('b', t)
      table.tick(t)
    }
    expect(table.holder('m1')).toBe('a')
  })

  it('answers a repeated offer of a movie the agent holds with the same grant', () => {
    const table = twoAgents()
    table.offered('a', ['m1'], 0)
    expect(table.offered('a', ['m1'], 1)).toEqual([{agent: 'a', granted: ['m1'], gone: [], revoked: []}])
    expect(table.heldBy('a')).toEqual(['m1'])
  })

  it('tells the other offerers a finished movie is gone, and becomes idle', () => {
    const table = twoAgents()
    table.offered('a', ['m1'], 0)
    table.offered('b', ['m1'], 0)
    expect(table.finished('m1')).toEqual([{agent: 'b', granted: [], gone: ['m1'], revoked: []}])
    expect(table.idle()).toBe(true)
  })

  it('restarts from the held leases: their agents get the grace to come back', () => {
    const table = new LeaseTable(timing, [{movie: 'm1', agent: 'a'}, {movie: 'm2', agent: 'b'}], 50_000)
    expect(table.holder('m1')).toBe('a')
    table.connected('b', 50_500)
    table.heartbeat('b', 2, 50_500)
    table.offered('b', ['m1', 'm2'], 50_600)
    expect(grants(table.tick(50_000 + timing.graceMs - 1))).toEqual({})
    expect(grants(table.tick(50_000 + timing.graceMs))).toEqual({b: ['m1']})
  })

  it('drops the offers of an agent gone past its grace', () => {
    const table = new LeaseTable(timing)
    table.connected('a', 0)
    table.offered('a', ['m1'], 0)
    table.disconnected('a', 0)
    expect(table.idle()).toBe(false)
    table.tick(timing.graceMs)
    expect(table.idle()).toBe(true)
  })
})
