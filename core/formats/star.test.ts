import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {describeWithTools} from '../../test/support/system-tools.js'
import {FormatError} from './errors.js'
import {
  blockLoop,
  blockPairs,
  findBlock,
  formatStar,
  loopBlock,
  loopRecords,
  numberColumn,
  pairsBlock,
  parseStar,
  readStar,
  relionStarFile,
  writeStar,
  type StarFile,
} from './star.js'
import {useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('star')

const OPTICS_COLUMNS = ['rlnOpticsGroupName', 'rlnOpticsGroup', 'rlnMicrographOriginalPixelSize', 'rlnVoltage', 'rlnSphericalAberration', 'rlnAmplitudeContrast', 'rlnMicrographPixelSize']

function micrographsFile(): StarFile {
  return relionStarFile([
    loopBlock('optics', OPTICS_COLUMNS, [['opticsGroup1', 1, 0.885, 300, 2.7, 0.1, 0.885]]),
    loopBlock('micrographs', ['rlnMicrographName', 'rlnOpticsGroup', 'rlnDefocusU', 'rlnDefocusV', 'rlnDefocusAngle'], [
      ['MotionCorr/job002/Movies/mic_001.mrc', 1, 12345.5, 12000.25, 33.1],
      ['MotionCorr/job002/Movies/mic 002.mrc', 1, 20011, 19500, -45],
    ]),
  ])
}

describe('STAR', () => {
  it('parses RELION 3.1 text: version comment, key-value block, loops, column comments, quotes', () => {
    const text = [
      '',
      '# version 30001',
      '',
      'data_general',
      '',
      '_rlnImageSizeX                   4096',
      "_rlnMicrographMovieName          'Movies/with space.tif'",
      '',
      'data_optics',
      '',
      'loop_ ',
      '_rlnOpticsGroupName #1 ',
      '_rlnVoltage #2 ',
      'opticsGroup1   300.000000 ',
      '"group two"    200.0',
      ' ',
    ].join('\n')
    const file = parseStar(text)
    expect(file.comments).toEqual([' version 30001'])
    expect(blockPairs(findBlock(file, 'general')!)).toEqual({rlnImageSizeX: '4096', rlnMicrographMovieName: 'Movies/with space.tif'})
    const optics = blockLoop(findBlock(file, 'optics')!)!
    expect(optics.columns).toEqual(['rlnOpticsGroupName', 'rlnVoltage'])
    expect(loopRecords(optics)).toEqual([
      {rlnOpticsGroupName: 'opticsGroup1', rlnVoltage: '300.000000'},
      {rlnOpticsGroupName: 'group two', rlnVoltage: '200.0'},
    ])
    expect(numberColumn(optics, 'rlnVoltage')).toEqual([300, 200])
  })

  it('round-trips: parse(format(file)) equals file, with quoting where values need it', () => {
    const file = micrographsFile()
    file.blocks.push(pairsBlock('general', {rlnImageSizeX: 5760, rlnMicrographMovieName: 'a b/c.tif', rlnEmpty: ''}))
    file.blocks[1].items.unshift({type: 'comment', text: ' corrected micrographs'})
    const text = formatStar(file)
    expect(text).toContain('"MotionCorr/job002/Movies/mic 002.mrc"')
    expect(parseStar(text)).toEqual(file)
  })

  it('multi-line text fields and values with inner quotes', () => {
    const file = parseStar("data_x\n_rlnNote\n;first line\nsecond line\n;\n_rlnOther it's\n")
    expect(blockPairs(file.blocks[0])).toEqual({rlnNote: 'first line\nsecond line', rlnOther: "it's"})
  })

  it('readStar and writeStar go through the file', async () => {
    await writeStar(tmp('m.star'), micrographsFile())
    expect(await readStar(tmp('m.star'))).toEqual(micrographsFile())
  })

  it('syntax errors are typed and name the file and line', () => {
    const cases = ['data_a\nloop_\n_rlnA #1\n_rlnB #2\n1 2\n3\n', "data_a\n_rlnA 'unterminated\n", 'stray value\ndata_a\n', 'data_a\n_rlnA\n']
    for (const text of cases) {
      const error = (() => {
        try {
          parseStar(text, 'bad.star')
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(FormatError)
      expect(error).toMatchObject({code: 'syntax', file: 'bad.star'})
      expect((error as FormatError).problem).toMatch(/^line \d+: /)
    }
  })

  it('numberColumn names a missing column and a non-numeric cell', () => {
    const loop = blockLoop(loopBlock('x', ['rlnA'], [['abc']]))!
    expect(() => numberColumn(loop, 'rlnB', 'f.star')).toThrow(/no column rlnB/)
    expect(() => numberColumn(loop, 'rlnA', 'f.star')).toThrow(/"abc" is not a number/)
  })
})

describeWithTools({commands: ['relion_star_handler']}, 'relion_star_handler reads our STAR files', () => {
  it('operates on our micrographs table; we read its output back with the change applied', async () => {
    await writeStar(tmp('ours.star'), micrographsFile())
    execFileSync('relion_star_handler', ['--i', tmp('ours.star'), '--o', tmp('relion.star'), '--operate', 'rlnDefocusU', '--multiply_by', '2'], {stdio: 'ignore'})
    const relion = await readStar(tmp('relion.star'))
    const optics = blockLoop(findBlock(relion, 'optics')!)!
    expect(numberColumn(optics, 'rlnMicrographPixelSize')).toEqual([0.885])
    const mics = blockLoop(findBlock(relion, 'micrographs')!)!
    expect(loopRecords(mics).map((r) => r.rlnMicrographName)).toEqual(['MotionCorr/job002/Movies/mic_001.mrc', 'MotionCorr/job002/Movies/mic 002.mrc'])
    expect(numberColumn(mics, 'rlnDefocusU')).toEqual([24691, 40022])
    expect(numberColumn(mics, 'rlnDefocusV')).toEqual([12000.25, 19500])
  })

  it('selects rows of our table by a numeric label', async () => {
    await writeStar(tmp('ours2.star'), micrographsFile())
    execFileSync('relion_star_handler', ['--i', tmp('ours2.star'), '--o', tmp('sel.star'), '--select', 'rlnDefocusU', '--minval', '15000'], {stdio: 'ignore'})
    const mics = blockLoop(findBlock(await readStar(tmp('sel.star')), 'micrographs')!)!
    expect(numberColumn(mics, 'rlnDefocusU')).toEqual([20011])
  })
})
