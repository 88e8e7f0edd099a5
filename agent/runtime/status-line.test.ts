import {describe, expect, it} from 'vitest'
import {formatStatus} from './status-line.js'

describe('formatStatus', () => {
  const counts = {found: 12, done: 8, failed: 1, released: 0, queued: 2, running: 1, connected: true, pendingEvents: 0}
  it('shows counts, the recent rate and the time left', () => {
    // 7 movies finished over 3 minutes: 2 per minute; 3 waiting -> 90 s.
    expect(formatStatus(counts, 7, 180_000)).toBe('found 12 | processed 8 | failed 1 | queued 3 | 2.0/min | ETA 90 s | controller: connected')
  })
  it('says when the controller is away and how many events it holds, and has no rate before two finish', () => {
    expect(formatStatus({...counts, connected: false, pendingEvents: 40}, 1, 0)).toBe(
      'found 12 | processed 8 | failed 1 | queued 3 | -/min | ETA - | controller: away (40 events held)',
    )
  })
  it('shows the movies a shared agent dropped because their leases went elsewhere, once there are any', () => {
    expect(formatStatus({...counts, released: 2}, 7, 180_000)).toBe('found 12 | processed 8 | failed 1 | released 2 | queued 3 | 2.0/min | ETA 90 s | controller: connected')
  })
})
