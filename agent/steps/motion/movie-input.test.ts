import {describe, expect, it} from 'vitest'
import {firstPassFrames} from './movie-input.js'

describe('first pass frame sample', () => {
  it('reads every frame of a short movie', () => {
    expect(firstPassFrames([3, 4, 5, 6, 7])).toEqual([3, 4, 5, 6, 7])
  })
  it('reads the first quarter (at least 8) of a long movie', () => {
    const forty = Array.from({length: 40}, (_, i) => i + 1)
    expect(firstPassFrames(forty)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(firstPassFrames(Array.from({length: 12}, (_, i) => i + 3))).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
  })
})
