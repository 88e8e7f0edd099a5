import {describe, expect, it} from 'vitest'
import {compilePattern} from './pattern.js'

describe('compilePattern', () => {
  const root = '/data/session'
  it('matches file names against name globs, in any sub-folder', () => {
    const m = compilePattern('*.tiff,*.eer', root)
    expect(m('/data/session/a_fractions.tiff')).toBe(true)
    expect(m('/data/session/GridSquare_1/Data/b_EER.eer')).toBe(true)
    expect(m('/data/session/a_fractions.tiff.tmp')).toBe(false)
    expect(m('/data/session/a.jpg')).toBe(false)
  })
  it('matches path globs against the path under the root, with ** and braces', () => {
    const m = compilePattern('**/Data/*_fractions.{tif,tiff}', root)
    expect(m('/data/session/Images-Disc1/GridSquare_2/Data/x_fractions.tif')).toBe(true)
    expect(m('/data/session/Data/x_fractions.tiff')).toBe(true)
    expect(m('/data/session/Images-Disc1/x_fractions.tif')).toBe(false)
  })
  it('refuses an empty pattern and an unclosed brace', () => {
    expect(() => compilePattern(' , ', root)).toThrow(/no glob/)
    expect(() => compilePattern('*.{mrc', root)).toThrow(/without "}"/)
  })
})
