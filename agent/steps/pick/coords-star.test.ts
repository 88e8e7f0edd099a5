import {describe, expect, it} from 'vitest'
import {FormatError} from '../../../core/formats/errors.js'
import {formatCoordinateStar, parseCoordinateStar} from './coords-star.js'

// Verbatim head of a file written by relion_autopick --LoG (RELION 3.1.3).
const RELION_LOG_OUTPUT = `
# version 30001

data_

loop_ 
_rlnCoordinateX #1 
_rlnCoordinateY #2 
_rlnAutopickFigureOfMerit #3 
_rlnClassNumber #4 
_rlnAnglePsi #5 
  716.000000   451.000000     0.218137            0     0.000000 
  961.000000   920.000000     0.214743            0     0.000000 
`

describe('coordinate STAR', () => {
  it("reads relion_autopick's files, and writes the same columns in a file that reads back", () => {
    const rows = [{x: 716, y: 451, figureOfMerit: 0.218137}, {x: 961, y: 920, figureOfMerit: 0.214743}]
    expect(parseCoordinateStar(RELION_LOG_OUTPUT)).toEqual(rows)
    const ours = formatCoordinateStar(rows)
    const header = (t: string) => t.split('\n').filter((l) => l.startsWith('_') || l.startsWith('data_')).map((l) => l.trim())
    expect(header(ours)).toEqual(header(RELION_LOG_OUTPUT))
    const precise = [{x: 12.345678, y: 4000.5, figureOfMerit: -1.25}]
    expect(parseCoordinateStar(formatCoordinateStar(precise))).toEqual(precise)
  })

  it('finds the coordinate loop among others and columns in any order', () => {
    const text = `data_optics\nloop_\n_rlnOpticsGroup #1\n1\n\ndata_particles\nloop_\n_rlnMicrographName #1\n_rlnCoordinateY #2\n_rlnCoordinateX #3\nm.mrc 20 10\nm.mrc 40.5 30\n`
    expect(parseCoordinateStar(text).map((r) => [r.x, r.y])).toEqual([[10, 20], [30, 40.5]])
    expect(Number.isNaN(parseCoordinateStar(text)[0].figureOfMerit)).toBe(true)
  })

  it('names the file and the problem', () => {
    expect(() => parseCoordinateStar('data_\nloop_\n_rlnMicrographName #1\nx.mrc\n', 'a.star')).toThrow(FormatError)
    expect(() => parseCoordinateStar('data_\nloop_\n_rlnCoordinateX #1\n_rlnCoordinateY #2\n1 zz\n', 'b.star')).toThrow(/b\.star.*zz/)
  })
})
