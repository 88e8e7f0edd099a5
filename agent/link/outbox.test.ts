import {mkdtempSync, appendFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {Outbox} from './outbox.js'

describe('Outbox', () => {
  it('numbers events from 1 without gaps, keeps them across a reopen until acknowledged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'))
    const box = new Outbox<{n: number}>(dir)
    for (let n = 1; n <= 5; n++) expect(box.append({n}).seq).toBe(n)
    box.ackThrough(3)
    box.close()
    appendFileSync(join(dir, 'outbox.jsonl'), '{"seq":6,"at":1,"ev') // torn by a crash
    const again = new Outbox<{n: number}>(dir)
    expect(again.pending().map((e) => e.event.n)).toEqual([4, 5])
    expect(again.append({n: 6}).seq).toBe(6)
  })
  it('never reuses a seq after compaction dropped every acknowledged line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'))
    const box = new Outbox<number>(dir)
    for (let n = 1; n <= 300; n++) box.append(n)
    box.ackThrough(300)
    box.close()
    const again = new Outbox<number>(dir)
    expect(again.pending()).toHaveLength(0)
    expect(again.nextSeq()).toBe(301)
  })
  it('refuses an out-of-order seq and ignores stale acks', () => {
    const box = new Outbox<number>(mkdtempSync(join(tmpdir(), 'outbox-')))
    box.append(1)
    expect(() => box.append(2, 5)).toThrow(/out of order/)
    box.ackThrough(1)
    box.ackThrough(0)
    expect(box.pending()).toHaveLength(0)
  })
})
