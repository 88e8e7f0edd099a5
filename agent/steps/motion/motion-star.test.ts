import {describe, expect, it} from 'vitest'
import {blockLoop, blockPairs, findBlock, numberColumn, parseStar} from '../../../core/formats/star.js'
import {formatMotionStar} from './motion-star.js'

const base = {
  width: 4096,
  height: 4096,
  frameCount: 40,
  movieName: 'Movies/m1.mrc',
  binning: 1,
  pixelSize: 0.83,
  dosePerFrame: 1,
  preExposure: 0,
  voltage: 300,
  startFrame: 2,
  frameNumbers: [2, 3, 4],
  shifts: [[0, 0], [-1.25, 0.5], [-2, 0.75]] as [number, number][],
}

describe('per-movie STAR (RELION 3.1 layout)', () => {
  it('writes data_general and the global shifts of the used frames', () => {
    const star = parseStar(formatMotionStar(base))
    const general = blockPairs(findBlock(star, 'general')!)
    expect(general).toMatchObject({rlnMicrographStartFrame: '2', rlnMotionModelVersion: '0', rlnMicrographMovieName: 'Movies/m1.mrc'})
    const loop = blockLoop(findBlock(star, 'global_shift')!)!
    expect(numberColumn(loop, 'rlnMicrographFrameNumber')).toEqual([2, 3, 4])
    expect(numberColumn(loop, 'rlnMicrographShiftX')).toEqual([0, -1.25, -2])
    expect(numberColumn(loop, 'rlnMicrographShiftY')).toEqual([0, 0.5, 0.75])
  })

  it('adds the local model (36 coefficients, integer frame numbers) and hot pixels', () => {
    const star = parseStar(
      formatMotionStar({
        ...base,
        hotPixels: [{x: 10, y: 20}],
        local: {
          coeffX: Array.from({length: 18}, (_, i) => i * 1e-3),
          coeffY: Array.from({length: 18}, (_, i) => -i * 1e-3),
          observations: [{frame: 2, x: 409.5, y: 409.5, shiftX: 0.1, shiftY: -0.2}],
        },
      }),
    )
    expect(blockPairs(findBlock(star, 'general')!).rlnMotionModelVersion).toBe('1')
    const coeffs = blockLoop(findBlock(star, 'local_motion_model')!)!
    expect(numberColumn(coeffs, 'rlnMotionModelCoeffsIdx')).toEqual(Array.from({length: 36}, (_, i) => i))
    expect(numberColumn(coeffs, 'rlnMotionModelCoeff')[35]).toBeCloseTo(-0.017, 12)
    expect(blockLoop(findBlock(star, 'local_shift')!)!.rows[0][0]).toBe('2')
    expect(blockLoop(findBlock(star, 'hot_pixels')!)!.rows).toEqual([['10', '20']])
  })
})
