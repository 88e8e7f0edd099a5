import {describe, expect, it} from 'vitest'
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

/** Block name -> its lines, for a STAR text. */
function blocks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let current = ''
  for (const line of text.split('\n')) {
    const m = /^data_(\S+)/.exec(line)
    if (m) out.set((current = m[1]), [])
    else if (current && line.trim() && !line.startsWith('#')) out.get(current)!.push(line.trim())
  }
  return out
}

describe('per-movie STAR (RELION 3.1 layout)', () => {
  it('writes data_general and the global shifts of the used frames', () => {
    const b = blocks(formatMotionStar(base))
    expect(b.get('general')!.some((l) => /^_rlnMicrographStartFrame\s+2$/.test(l))).toBe(true)
    expect(b.get('general')!.some((l) => /^_rlnMotionModelVersion\s+0$/.test(l))).toBe(true)
    const rows = b.get('global_shift')!.filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/).map(Number))
    expect(rows).toEqual([[2, 0, 0], [3, -1.25, 0.5], [4, -2, 0.75]])
  })

  it('adds the local model (36 coefficients, integer frame numbers) and hot pixels', () => {
    const text = formatMotionStar({
      ...base,
      hotPixels: [{x: 10, y: 20}],
      local: {
        coeffX: Array.from({length: 18}, (_, i) => i * 1e-3),
        coeffY: Array.from({length: 18}, (_, i) => -i * 1e-3),
        observations: [{frame: 2, x: 409.5, y: 409.5, shiftX: 0.1, shiftY: -0.2}],
      },
    })
    const b = blocks(text)
    expect(b.get('general')!.some((l) => /^_rlnMotionModelVersion\s+1$/.test(l))).toBe(true)
    const coeffs = b.get('local_motion_model')!.filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/).map(Number))
    expect(coeffs).toHaveLength(36)
    expect(coeffs[35]).toEqual([35, -0.017])
    expect(b.get('local_shift')!.find((l) => /^\d/.test(l))!.split(/\s+/)[0]).toBe('2')
    expect(b.get('hot_pixels')!.filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/))).toEqual([['10', '20']])
  })
})
