import {describe, expect, it} from 'vitest'
import type {LeaseStatus} from '../project/lease-status.js'
import {describeLeases} from './describe-status.js'

const leases: LeaseStatus = {
  waiting: 3,
  agents: [
    {agentId: 'gpu-1', held: 4, slots: 4, connected: true, lapsed: false, granted: 120, expired: 0, reLeased: 2},
    {agentId: 'gpu-2', held: 1, slots: 4, connected: false, lapsed: false, granted: 80, expired: 2, reLeased: 0},
    {agentId: 'gpu-3', held: 0, slots: 2, connected: true, lapsed: true, granted: 5, expired: 1, reLeased: 0},
  ],
}

describe('controller status: leases', () => {
  it('shows per shared agent its held leases of its slots, its connection and what its leases came to', () => {
    expect(describeLeases(leases, true)).toEqual([
      'leases (shared agents): 3 movie(s) offered and waiting for a free slot',
      '  agent gpu-1: 4 of 4 slot(s) held, connected; 120 granted, 0 expired and re-leased elsewhere, 2 taken over from others',
      '  agent gpu-2: 1 of 4 slot(s) held, disconnected (its leases last out the grace); 80 granted, 2 expired and re-leased elsewhere, 0 taken over from others',
      '  agent gpu-3: 0 of 2 slot(s) held, connected but silent (its leases lapsed); 5 granted, 1 expired and re-leased elsewhere, 0 taken over from others',
    ])
  })

  it('read from disk, claims no slots or connections (only a serving controller knows them)', () => {
    const lines = describeLeases(leases, false)
    expect(lines[0]).toBe('leases (shared agents): slots and waiting offers are known only while a controller serves')
    expect(lines[2]).toBe('  agent gpu-2: 1 held; 80 granted, 2 expired and re-leased elsewhere, 0 taken over from others')
  })
})
