import {describe, expect, it} from 'vitest'
import {LeaseNoticeBatch} from './lease-notices.js'

describe('lease notice batch', () => {
  it('merges one turn\'s notices per agent, in the order decided, the later decision on a movie winning', () => {
    const batch = new LeaseNoticeBatch()
    batch.add({agent: 'a', granted: ['m1'], gone: [], revoked: ['m9']})
    batch.add({agent: 'b', granted: [], gone: ['m1'], revoked: []})
    batch.add({agent: 'a', granted: ['m2', 'm9'], gone: ['m5'], revoked: []})
    expect(batch.take()).toEqual([
      {agent: 'a', granted: ['m1', 'm2', 'm9'], gone: ['m5'], revoked: []},
      {agent: 'b', granted: [], gone: ['m1'], revoked: []},
    ])
    expect(batch.take()).toEqual([])
  })
})
