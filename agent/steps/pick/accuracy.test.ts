// Accuracy on simulated micrographs (truth coordinates), and against relion_autopick --LoG on
// the same files with the same matcher. A few seconds per micrograph on a 2-core machine.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {CI_PICK_CASES, diameterRange, pooledScore, runRelionLog, scoreCase, simulatePickCase, writeCaseMicrograph, type SimulatedPickCase} from './accuracy-set.test-support.js'
import type {PickScore} from './f1.js'
import {defaultPickOptions} from './options.js'
import {pickMicrograph} from './pick-micrograph.js'

const cases: SimulatedPickCase[] = []
const ours: PickScore[] = []

beforeAll(() => {
  for (const c of CI_PICK_CASES) {
    const s = simulatePickCase(c)
    cases.push(s)
    ours.push(scoreCase(c, pickMicrograph(s.image, c.pixelSize, {...defaultPickOptions, ...diameterRange(c)}).coordinates, s.particles))
  }
})

describe('picking accuracy on simulated micrographs (moderate SNR)', () => {
  it('reaches F1 >= 0.8 against the true coordinates', () => {
    expect(cases.reduce((n, s) => n + s.particles.length, 0)).toBeGreaterThan(60)
    const pooled = pooledScore(ours)
    console.log(`picking F1 (ours): pooled ${pooled.f1.toFixed(3)} (P ${pooled.precision.toFixed(3)}, R ${pooled.recall.toFixed(3)}); per micrograph ${ours.map((s) => s.f1.toFixed(2)).join(' ')}`)
    expect(pooled.f1).toBeGreaterThanOrEqual(0.8)
    for (const s of ours) expect(s.f1).toBeGreaterThanOrEqual(0.6)
  })
})

describeWithTools({commands: ['relion_autopick']}, 'picking accuracy against relion_autopick --LoG', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pick-relion-'))
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  it('is no worse than RELION on the same micrographs and matcher', async () => {
    const relion: PickScore[] = []
    for (const s of cases) {
      const path = await writeCaseMicrograph(s, dir)
      const r = await runRelionLog(path, s.case.pixelSize, diameterRange(s.case))
      relion.push(scoreCase(s.case, r.coordinates, s.particles))
    }
    const a = pooledScore(ours)
    const b = pooledScore(relion)
    console.log(`picking F1: ours ${a.f1.toFixed(3)}, relion_autopick --LoG ${b.f1.toFixed(3)}; per micrograph ours/relion ${ours.map((s, i) => `${s.f1.toFixed(2)}/${relion[i].f1.toFixed(2)}`).join(' ')}`)
    expect(b.f1).toBeGreaterThan(0.3)
    expect(a.f1).toBeGreaterThanOrEqual(b.f1)
  })
})
