// The lease ledger applies grant records as journals hold them (batched per agent, and the
// single-movie records of journals written before), keeping holders and per-agent counts.
import {describe, expect, it} from 'vitest'
import {openDatabase} from './database.js'
import {LeaseLedger} from './leases.js'
import {SCHEMA_SQL} from './schema.js'

describe('lease ledger', () => {
  it('applies batched and single-movie grants alike, counting expiries and re-leases per agent', async () => {
    const db = await openDatabase()
    db.run(SCHEMA_SQL)
    const ledger = new LeaseLedger(db)
    expect(ledger.counts()).toEqual([])
    ledger.apply({type: 'lease', at: 1, agentId: 'a', movie: 'm1.tiff'})
    ledger.apply({type: 'lease', at: 2, agentId: 'a', movies: ['m2.tiff', 'm3.tiff']})
    // a's leases on m1 and m3 expired: b takes them over with a new movie of its own.
    ledger.apply({type: 'lease', at: 3, agentId: 'b', movies: ['m1.tiff', 'm3.tiff', 'm4.tiff']})
    expect(['m1.tiff', 'm2.tiff', 'm3.tiff', 'm4.tiff'].map((m) => ledger.holder(m))).toEqual(['b', 'a', 'b', 'b'])
    expect(ledger.counts()).toEqual([
      {agentId: 'a', granted: 3, expired: 2, reLeased: 0},
      {agentId: 'b', granted: 3, expired: 0, reLeased: 2},
    ])
    expect(db.exec('SELECT movie, agent_id, grants FROM leases ORDER BY movie')[0].values).toEqual([
      ['m1.tiff', 'b', 2], ['m2.tiff', 'a', 1], ['m3.tiff', 'b', 2], ['m4.tiff', 'b', 1],
    ])
    // A ledger built on the same database (a reopened project) reads the same.
    const reopened = new LeaseLedger(db)
    expect([reopened.holder('m2.tiff'), reopened.counts()]).toEqual(['a', ledger.counts()])
    expect(reopened.unfinished().map((l) => l.movie)).toEqual(['m2.tiff', 'm1.tiff', 'm3.tiff', 'm4.tiff'])
    db.close()
  })
})
