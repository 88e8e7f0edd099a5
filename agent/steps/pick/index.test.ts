import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {describeWithTools} from '../../../test/support/system-tools.js'
import {micrographsStar} from './accuracy-set.test-support.js'
import {writeMrc} from '../../../core/formats/mrc-write.js'
import {parseCoordinateStar} from './coords-star.js'
import {scorePicks} from './f1.js'
import {coordinateFileName, defaultPickOptions, pickParticles, PickOptionsError} from './index.js'
import {blobField} from './synthetic-blobs.js'

describe('pickParticles', () => {
  const dirs: string[] = []
  afterAll(() => Promise.all(dirs.map((d) => rm(d, {recursive: true, force: true}))))
  const field = blobField({width: 600, height: 500, diameter: [55, 65], count: 25, contrast: 0.4, seed: 5, margin: 40})
  const options = {...defaultPickOptions, diameterMin: 100, diameterMax: 140}

  it('picks an MRC micrograph with the header pixel size and writes the RELION coordinate file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pick-'))
    dirs.push(dir)
    const mic = join(dir, 'FoilHole_1_Data_2.mrc')
    await writeMrc(mic, [field.image.data], {width: 600, height: 500, pixelSize: 2})
    const result = await pickParticles(mic, join(dir, 'picks'), options)
    expect(result.coordinatesFile).toBe(join(dir, 'picks', 'FoilHole_1_Data_2_autopick.star'))
    expect(result.count).toBe(result.coordinates.length)
    expect(scorePicks(result.coordinates, field.centres, 15).f1).toBeGreaterThanOrEqual(0.9)
    const rows = parseCoordinateStar(await readFile(result.coordinatesFile, 'utf8'))
    expect(rows).toHaveLength(result.count)
    rows.forEach((r, i) => {
      expect(r.x).toBeCloseTo(result.coordinates[i][0], 5)
      expect(r.y).toBeCloseTo(result.coordinates[i][1], 5)
      expect(r.figureOfMerit).toBeCloseTo(result.scores[i], 5)
    })
  })

  it('says to set pixelSize when the micrograph records none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pick-'))
    dirs.push(dir)
    const mic = join(dir, 'nopix.mrc')
    await writeMrc(mic, [field.image.data], {width: 600, height: 500})
    await expect(pickParticles(mic, dir, options)).rejects.toThrow(PickOptionsError)
    const result = await pickParticles(mic, dir, {...options, pixelSize: 2})
    expect(result.count).toBeGreaterThan(15)
  })

  it('names coordinate files as RELION does', () => {
    expect(coordinateFileName('/data/Movies/mic_007.mrc', '/out', 'LoG')).toBe('/out/mic_007_LoG.star')
  })
})

describeWithTools({commands: ['relion_preprocess']}, 'coordinate files in RELION', () => {
  it('relion_preprocess --extract reads ours and extracts every pick', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pick-extract-'))
    try {
      const field = blobField({width: 512, height: 512, diameter: [45, 55], count: 12, contrast: 0.5, seed: 8, margin: 40})
      await writeMrc(join(dir, 'mic.mrc'), [field.image.data], {width: 512, height: 512, pixelSize: 2})
      await writeFile(join(dir, 'mics.star'), micrographsStar('mic.mrc', 2))
      const result = await pickParticles(join(dir, 'mic.mrc'), join(dir, 'picks'), {...defaultPickOptions, diameterMin: 80, diameterMax: 120})
      expect(result.count).toBeGreaterThan(5)
      const args = ['--i', 'mics.star', '--coord_dir', 'picks/', '--coord_suffix', '_autopick.star', '--part_star', 'particles.star', '--part_dir', 'Particles/', '--extract', '--extract_size', '64']
      await promisify(execFile)('relion_preprocess', args, {cwd: dir})
      const particles = await readFile(join(dir, 'particles.star'), 'utf8')
      expect(particles.split('\n').filter((l) => l.includes('Particles/mic.mrcs')).length).toBe(result.count)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
